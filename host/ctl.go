package main

// The operator commands (registry, app, device, deploy, deployment,
// eligibility): a kubectl-style client of the WFM's operator API
// (vendors.fleet). This file holds the dispatch and the global flags;
// ctl_client.go the HTTP client; ctlout.go the printing; ctl_*.go the
// commands.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Defaults of the global flags, after their environment variables.
const (
	ctlDefaultServer = "https://127.0.0.1:8443/fleet/v1"
	ctlDefaultToken  = "sandbox-token"
	ctlDefaultCACert = "var/wfm/ca.pem"
	ctlDefaultWait   = time.Minute
)

// ctlGlobalUsage documents the flags every operator command takes.
const ctlGlobalUsage = `global flags (every operator command):
  --server URL     operator API base URL (default $CADENZA_SERVER, else ` + ctlDefaultServer + `)
  --token TOKEN    bearer token (default $CADENZA_TOKEN, else ` + ctlDefaultToken + `)
  --cacert FILE    PEM CA to trust (default $CADENZA_CACERT, else ` + ctlDefaultCACert + ` when it exists, else the system roots)
  -o, --output F   output format: table, json or yaml (default table)
  --timeout D      per-request timeout (default 1m)
`

// ctlMaxBody bounds one response body.
const ctlMaxBody = 64 << 20

// ctl runs one operator command. Its fields before the blank line are the
// environment (tests replace them); the others are set by parse.
type ctl struct {
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
	fileExists     func(string) bool
	now            func() time.Time
	signals        <-chan os.Signal

	cmd     string // "registry add": the command, for messages
	server  string
	token   string
	cacert  string
	output  string
	timeout time.Duration
	hc      *http.Client
}

// newCtl is a ctl over the process environment.
func newCtl(stdout, stderr io.Writer, signals <-chan os.Signal) *ctl {
	return &ctl{
		stdout: stdout, stderr: stderr, signals: signals,
		lookupEnv:  os.LookupEnv,
		fileExists: func(p string) bool { st, err := os.Stat(p); return err == nil && st.Mode().IsRegular() },
		now:        time.Now,
	}
}

// ctlCommands are the top-level operator commands (and their aliases).
var ctlCommands = map[string]string{
	"registry": "registry", "registries": "registry",
	"app": "app", "apps": "app", "application": "app", "applications": "app",
	"device": "device", "devices": "device",
	"deploy":     "deploy",
	"deployment": "deployment", "deployments": "deployment",
	"eligibility": "eligibility",
}

// isCtlCommand reports whether name is an operator command.
func isCtlCommand(name string) bool { _, ok := ctlCommands[name]; return ok }

// ctlSub is one sub-command of a group.
type ctlSub struct {
	name, args, summary string
	run                 func(c *ctl, args []string) int
}

var ctlGroups = map[string][]ctlSub{
	"registry": {
		{"add", "NAME --url URL [flags]", "add a git registry of application packages", (*ctl).registryAdd},
		{"list", "", "list registries and the outcome of their last sync", (*ctl).registryList},
		{"show", "NAME", "one registry and the status of each of its packages", (*ctl).registryShow},
		{"sync", "NAME", "fetch a registry now and print what it holds", (*ctl).registrySync},
		{"remove", "NAME", "remove a registry and the application versions it brought", (*ctl).registryRemove},
	},
	"app": {
		{"list", "", "list the applications of the catalog", (*ctl).appList},
		{"show", "ID [--version V]", "an application: versions, profiles, parameters, settings", (*ctl).appShow},
	},
	"device": {
		{"list", "[--client C] [-l k=v ...]", "list devices", (*ctl).deviceList},
		{"show", "CLIENT[/DEVICE]", "one device: labels and capabilities", (*ctl).deviceShow},
		{"label", "CLIENT[/DEVICE] k=v k2- ...", "set (k=v) or remove (k-) operator labels", (*ctl).deviceLabel},
	},
	"deployment": {
		{"list", "[--app ID]", "list deployments (rollouts)", (*ctl).deploymentList},
		{"show", "ID", "a deployment and its placement on every device", (*ctl).deploymentShow},
		{"update", "ID [--version V] [--set k=v ...]", "change a deployment", (*ctl).deploymentUpdate},
		{"delete", "ID [--forget]", "uninstall a deployment from its devices", (*ctl).deploymentDelete},
		{"history", "ID CLIENT[/DEVICE]", "the status reports of one device's copy, newest first", (*ctl).deploymentHistory},
	},
}

// run runs the operator command args[0] (one of ctlCommands).
func (c *ctl) run(args []string) int {
	name := ctlCommands[args[0]]
	switch name {
	case "deploy":
		c.cmd = "deploy"
		return c.deploy(args[1:])
	case "eligibility":
		c.cmd = "eligibility"
		return c.eligibility(args[1:])
	}
	subs := ctlGroups[name]
	groupUsage := func(w io.Writer) {
		fmt.Fprintf(w, "usage: cadenza %s <command> [flags]\n\ncommands:\n", name)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, s := range subs {
			fmt.Fprintf(tw, "  %s %s %s\t%s\n", name, s.name, s.args, s.summary)
		}
		_ = tw.Flush()
		fmt.Fprintf(w, "\nRun cadenza %s <command> -h for the flags of one.\n", name)
	}
	if len(args) < 2 {
		groupUsage(c.stderr)
		return 2
	}
	switch args[1] {
	case "-h", "--help", "help":
		groupUsage(c.stdout)
		return 0
	}
	for _, s := range subs {
		if s.name == args[1] || (s.name == "remove" && args[1] == "rm") || (s.name == "delete" && args[1] == "rm") ||
			(s.name == "list" && args[1] == "ls") {
			c.cmd = name + " " + s.name
			return s.run(c, args[2:])
		}
	}
	fmt.Fprintf(c.stderr, "cadenza %s: unknown command %q\n", name, args[1])
	groupUsage(c.stderr)
	return 2
}

// flags is a FlagSet holding the global flags, for the current command.
func (c *ctl) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("cadenza "+c.cmd, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {}
	fs.StringVar(&c.server, "server", "", "operator API base URL")
	fs.StringVar(&c.token, "token", "", "bearer token")
	fs.StringVar(&c.cacert, "cacert", "", "PEM CA file to trust")
	fs.StringVar(&c.output, "o", "table", "output format: table, json or yaml")
	fs.StringVar(&c.output, "output", "table", "output format: table, json or yaml")
	fs.DurationVar(&c.timeout, "timeout", ctlDefaultWait, "per-request timeout")
	return fs
}

// globalFlag names the flags flags() defines.
var globalFlag = map[string]bool{"server": true, "token": true, "cacert": true, "o": true, "output": true, "timeout": true}

// usage prints the command's usage: synopsis, description, its own flags
// and the global ones.
func (c *ctl) usage(w io.Writer, fs *flag.FlagSet, synopsis, about string) {
	fmt.Fprintf(w, "usage: cadenza %s\n\n%s\n", strings.TrimSpace(c.cmd+" "+synopsis), about)
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if globalFlag[f.Name] {
			return
		}
		if first {
			fmt.Fprintln(w, "\nflags:")
			first = false
		}
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		arg, text := flag.UnquoteUsage(f)
		if arg == "value" {
			arg = "VALUE"
		}
		line := "  " + dash + f.Name
		if arg != "" {
			line += " " + arg
		}
		fmt.Fprintf(w, "%s\n    \t%s\n", line, text)
	})
	fmt.Fprint(w, "\n"+ctlGlobalUsage)
}

// usageError prints a usage problem, and the usage, and returns 2.
func (c *ctl) usageError(synopsis, format string, a ...any) int {
	fmt.Fprintf(c.stderr, "cadenza %s: %s\n", c.cmd, fmt.Sprintf(format, a...))
	fmt.Fprintf(c.stderr, "usage: cadenza %s (cadenza %s -h for more)\n", strings.TrimSpace(c.cmd+" "+synopsis), c.cmd)
	return 2
}

// parse parses args, flags anywhere among the positional arguments (all
// arguments after "--" are positional), checks the count of positional
// arguments (max < 0: any) and the global flags, and builds the client. It
// returns the positional arguments, and an exit code to return at once
// (-1: carry on).
func (c *ctl) parse(fs *flag.FlagSet, args []string, minArgs, maxArgs int, synopsis, about string) ([]string, int) {
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			c.usage(c.stdout, fs, synopsis, about)
			return nil, 0
		}
		if err != nil { // the flag package printed it
			fmt.Fprintf(c.stderr, "usage: cadenza %s (cadenza %s -h for more)\n", strings.TrimSpace(c.cmd+" "+synopsis), c.cmd)
			return nil, 2
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case len(pos) < minArgs:
		return nil, c.usageError(synopsis, "missing arguments")
	case maxArgs >= 0 && len(pos) > maxArgs:
		return nil, c.usageError(synopsis, "unexpected argument %q", pos[maxArgs])
	}
	switch c.output {
	case "table", "json", "yaml":
	default:
		return nil, c.usageError(synopsis, "-o %q: the output format is table, json or yaml", c.output)
	}
	if code := c.connect(fs); code >= 0 {
		return nil, code
	}
	return pos, -1
}

// connect applies the defaults of the global flags not given and builds
// the HTTP client; an unusable --cacert or --server is a usage error.
func (c *ctl) connect(fs *flag.FlagSet) int {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["server"] {
		c.server = ctlDefaultServer
		if v, ok := c.lookupEnv("CADENZA_SERVER"); ok && v != "" {
			c.server = v
		}
	}
	if !set["token"] {
		c.token = ctlDefaultToken
		if v, ok := c.lookupEnv("CADENZA_TOKEN"); ok && v != "" {
			c.token = v
		}
	}
	caSource := "--cacert"
	if !set["cacert"] {
		c.cacert = ""
		if v, ok := c.lookupEnv("CADENZA_CACERT"); ok && v != "" {
			c.cacert, caSource = v, "CADENZA_CACERT"
		} else if c.fileExists(ctlDefaultCACert) {
			c.cacert, caSource = ctlDefaultCACert, ctlDefaultCACert
		}
	}
	c.server = strings.TrimRight(c.server, "/")
	u, err := url.Parse(c.server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		fmt.Fprintf(c.stderr, "cadenza %s: --server %q must be an http(s) URL of the operator API, like %s\n", c.cmd, c.server, ctlDefaultServer)
		return 2
	}
	if c.timeout <= 0 {
		fmt.Fprintf(c.stderr, "cadenza %s: --timeout must be positive\n", c.cmd)
		return 2
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.cacert != "" {
		b, err := os.ReadFile(c.cacert)
		if err != nil {
			fmt.Fprintf(c.stderr, "cadenza %s: the CA file of %s: %v\n", c.cmd, caSource, err)
			return 2
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			fmt.Fprintf(c.stderr, "cadenza %s: %s (%s) holds no PEM certificate\n", c.cmd, c.cacert, caSource)
			return 2
		}
		tlsCfg.RootCAs = pool
	}
	c.hc = &http.Client{Timeout: c.timeout, Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsCfg, ForceAttemptHTTP2: true,
		TLSHandshakeTimeout: 10 * time.Second, MaxIdleConnsPerHost: 4,
	}}
	return -1
}

// context is the command's context: canceled by the first signal.
func (c *ctl) context() (context.Context, context.CancelFunc) {
	ctx, cancel := canceledBy(context.Background(), c.signals)
	return ctx, func() {
		cancel()
		if c.hc != nil {
			c.hc.CloseIdleConnections()
		}
	}
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
