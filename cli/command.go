package cli

// The operator commands' state, global flags and connection to the
// operator API.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/operator"
)

// Defaults of the global flags, after their environment variables.
const (
	defaultServer = "https://127.0.0.1:8443/fleet/v1"
	defaultToken  = "sandbox-token"
	defaultCACert = "var/wfm/ca.pem"
	defaultWait   = time.Minute
)

// globalUsage documents the flags every operator command takes.
const globalUsage = `global flags (every operator command):
  --server URL     operator API base URL (default $CADENZA_SERVER, else ` + defaultServer + `)
  --token TOKEN    bearer token (default $CADENZA_TOKEN, else ` + defaultToken + `)
  --cacert FILE    PEM CA to trust (default $CADENZA_CACERT, else ` + defaultCACert + ` when it exists, else the system roots)
  -o, --output F   output format: table, json or yaml (default table)
  --timeout D      per-request timeout (default 1m)
`

// globalFlags are the names of the flags globalUsage describes.
var globalFlags = []string{"server", "token", "cacert", "output", "timeout"}

// command runs one operator command. Its fields before the blank line are
// the environment (tests replace them); the others are set by parse.
type command struct {
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
	fileExists     func(string) bool
	now            func() time.Time
	signals        <-chan os.Signal
	version        string

	name    string // "registry add": the command, for messages
	fs      *Flags
	server  string
	token   string
	cacert  string
	output  string
	timeout time.Duration
	hc      *http.Client
	api     *operator.Client
}

// newCommand is a command over the process environment.
func newCommand(env Env) *command {
	return &command{
		stdout: env.Stdout, stderr: env.Stderr, signals: env.Signals, version: env.Version,
		lookupEnv:  os.LookupEnv,
		fileExists: func(p string) bool { st, err := os.Stat(p); return err == nil && st.Mode().IsRegular() },
		now:        time.Now,
	}
}

// flags is the flag set of the current command, holding the global flags.
func (c *command) flags(synopsis, about string) *Flags {
	fs := NewFlags(c.name, synopsis, about, c.stdout, c.stderr)
	fs.Footer, fs.Common = globalUsage, globalFlags
	fs.StringVar(&c.server, "server", "", "operator API base URL")
	fs.StringVar(&c.token, "token", "", "bearer token")
	fs.StringVar(&c.cacert, "cacert", "", "PEM CA file to trust")
	fs.StringVarP(&c.output, "output", "o", "table", "output format: table, json or yaml")
	fs.DurationVar(&c.timeout, "timeout", defaultWait, "per-request timeout")
	c.fs = fs
	return fs
}

// usageError prints a usage problem and the usage, and returns 2.
func (c *command) usageError(format string, a ...any) int { return c.fs.UsageError(format, a...) }

// parse parses args (see Flags.Parse), checks the global flags and builds
// the client. It returns the positional arguments, and an exit code to
// return at once (-1: carry on).
func (c *command) parse(fs *Flags, args []string, minArgs, maxArgs int) ([]string, int) {
	pos, code := fs.Parse(args, minArgs, maxArgs)
	if code >= 0 {
		return nil, code
	}
	switch c.output {
	case "table", "json", "yaml":
	default:
		return nil, c.usageError("-o %q: the output format is table, json or yaml", c.output)
	}
	if code := c.connect(fs); code >= 0 {
		return nil, code
	}
	return pos, -1
}

// connect applies the defaults of the global flags not given and builds
// the client; an unusable --cacert or --server is a usage error.
func (c *command) connect(fs *Flags) int {
	if !fs.Changed("server") {
		c.server = defaultServer
		if v, ok := c.lookupEnv("CADENZA_SERVER"); ok && v != "" {
			c.server = v
		}
	}
	if !fs.Changed("token") {
		c.token = defaultToken
		if v, ok := c.lookupEnv("CADENZA_TOKEN"); ok && v != "" {
			c.token = v
		}
	}
	caSource := "--cacert"
	if !fs.Changed("cacert") {
		c.cacert = ""
		if v, ok := c.lookupEnv("CADENZA_CACERT"); ok && v != "" {
			c.cacert, caSource = v, "CADENZA_CACERT"
		} else if c.fileExists(defaultCACert) {
			c.cacert, caSource = defaultCACert, defaultCACert
		}
	}
	c.server = strings.TrimRight(c.server, "/")
	if c.timeout <= 0 {
		fmt.Fprintf(c.stderr, "cadenza %s: --timeout must be positive\n", c.name)
		return 2
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.cacert != "" {
		b, err := os.ReadFile(c.cacert)
		if err != nil {
			fmt.Fprintf(c.stderr, "cadenza %s: the CA file of %s: %v\n", c.name, caSource, err)
			return 2
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			fmt.Fprintf(c.stderr, "cadenza %s: %s (%s) holds no PEM certificate\n", c.name, c.cacert, caSource)
			return 2
		}
		tlsCfg.RootCAs = pool
	}
	c.hc = &http.Client{Timeout: c.timeout, Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsCfg, ForceAttemptHTTP2: true,
		TLSHandshakeTimeout: 10 * time.Second, MaxIdleConnsPerHost: 4,
	}}
	api, err := operator.New(operator.Options{Server: c.server, Token: c.token, HTTPClient: c.hc, UserAgent: "cadenza/" + c.version})
	if err != nil {
		fmt.Fprintf(c.stderr, "cadenza %s: --server %q must be an http(s) URL of the operator API, like %s\n", c.name, c.server, defaultServer)
		return 2
	}
	c.api = api
	return -1
}

// context is the command's context: canceled by the first signal.
func (c *command) context() (context.Context, context.CancelFunc) {
	ctx, cancel := canceledBy(context.Background(), c.signals)
	return ctx, func() {
		cancel()
		if c.hc != nil {
			c.hc.CloseIdleConnections()
		}
	}
}
