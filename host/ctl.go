package main

// The operator commands (registry, app, device, deploy, deployment,
// eligibility): a kubectl-style client of the WFM's operator API
// (vendors.fleet). This file holds the dispatch, the global flags and the
// HTTP client; ctlout.go the printing; ctl_*.go the commands.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
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

// request is one call of the API. Path is escaped already (see pathOf).
type request struct {
	method, path string
	query        url.Values
	body         any    // JSON-encoded when not nil
	contentType  string // of the body; application/json when empty
	notFound     string // hint for a 404 about a missing resource
}

// pathOf joins escaped path segments: each is escaped on its own, except
// that the '/' inside a segment marked with a leading "/" are kept (device
// ids may contain '/', sent unescaped).
func pathOf(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		if keep, ok := strings.CutPrefix(s, "/"); ok {
			parts := strings.Split(keep, "/")
			for i, p := range parts {
				parts[i] = url.PathEscape(p)
			}
			b.WriteString(strings.Join(parts, "/"))
			continue
		}
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// apiError is a failed call: an error status with its problem, or a
// transport failure; hint says what to do about it.
type apiError struct {
	status  int
	problem problem
	msg     string
	hint    string
}

func (e *apiError) Error() string { return e.msg }

// do sends one request and returns the body of a 2xx response; anything
// else is an *apiError.
func (c *ctl) do(ctx context.Context, r request) ([]byte, int, error) {
	target := c.server + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r.body); err != nil {
			return nil, 0, err
		}
		body = bytes.NewReader(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, 0, &apiError{msg: err.Error(), hint: "check --server (" + c.server + ")"}
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	req.Header.Set("User-Agent", "cadenza/"+Version)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if r.body != nil {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, 0, c.transportError(ctx, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(io.LimitReader(res.Body, ctlMaxBody))
	if err != nil {
		return nil, res.StatusCode, c.transportError(ctx, err)
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return out, res.StatusCode, nil
	}
	return nil, res.StatusCode, c.statusError(r, res, out)
}

// statusError makes the apiError of a response with an error status.
func (c *ctl) statusError(r request, res *http.Response, body []byte) *apiError {
	e := &apiError{status: res.StatusCode}
	mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if mt == "application/problem+json" || mt == "application/json" {
		_ = json.Unmarshal(body, &e.problem)
	}
	p := &e.problem
	if p.Title == "" {
		p.Title = http.StatusText(res.StatusCode)
	}
	if p.Detail == "" && p.Title == http.StatusText(res.StatusCode) && mt != "application/problem+json" {
		// Not a problem document (a proxy, or not the WFM): its first line.
		line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
		if len(line) > 200 {
			line = line[:200] + "..."
		}
		p.Detail = line
	}
	e.msg = fmt.Sprintf("%s (%d)", p.Title, res.StatusCode)
	if p.Detail != "" {
		e.msg += ": " + p.Detail
	}
	route := r.method + " " + r.path
	switch {
	case res.StatusCode == http.StatusUnauthorized:
		e.hint = "pass a token the WFM accepts with --token or set CADENZA_TOKEN (samples/wfm.json accepts $CADENZA_TOKEN of the WFM, else sandbox-token)"
	case res.StatusCode == http.StatusForbidden:
		e.hint = "this token may not do that: use another with --token or CADENZA_TOKEN"
	case (res.StatusCode == http.StatusNotFound && p.Detail == "no endpoint serves this path") ||
		res.StatusCode == http.StatusMethodNotAllowed || (res.StatusCode == http.StatusNotFound && mt != "application/problem+json"):
		e.hint = fmt.Sprintf("the server at %s does not serve %s: check that --server ends with the operator API prefix (like /fleet/v1), and that the WFM is recent enough for this command", c.server, route)
		if strings.HasPrefix(r.path, "/registries") || strings.HasPrefix(r.path, "/applications") {
			e.hint += "; the catalog routes need a managers.catalog among the managers of vendors.fleet (see samples/wfm.json)"
		}
	case res.StatusCode == http.StatusNotFound && r.notFound != "":
		e.hint = r.notFound
	case res.StatusCode == http.StatusServiceUnavailable:
		e.hint = "the WFM or something it depends on is unavailable; retry shortly, and see the WFM's log"
	case res.StatusCode >= 500:
		e.hint = "the WFM failed; see its log"
	}
	return e
}

// transportError explains a failure to get an answer.
func (c *ctl) transportError(ctx context.Context, err error) *apiError {
	e := &apiError{msg: fmt.Sprintf("%s: %v", c.server, err)}
	var (
		unknownCA x509.UnknownAuthorityError
		verify    *tls.CertificateVerificationError
		host      x509.HostnameError
		dns       *net.DNSError
		recordErr tls.RecordHeaderError
	)
	switch {
	case ctx.Err() != nil:
		e.msg, e.hint = "interrupted", ""
	case errors.Is(err, syscall.ECONNREFUSED):
		e.msg = fmt.Sprintf("nothing answers at %s (connection refused)", c.server)
		e.hint = "start the WFM with `cadenza run --config samples/wfm.json`, or point --server (or CADENZA_SERVER) at yours"
	case errors.As(err, &host):
		e.hint = "the WFM's certificate does not name the host of --server: use a host name or address it lists (samples/wfm.json: 127.0.0.1 or localhost)"
	case errors.As(err, &unknownCA) || errors.As(err, &verify):
		e.hint = "the WFM's certificate is not signed by a CA this command trusts: pass --cacert FILE or set CADENZA_CACERT (the sample WFM writes its CA to var/wfm/ca.pem)"
	case errors.As(err, &recordErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		e.hint = "the server does not speak TLS: use an http:// --server URL, or the WFM's https port"
	case errors.As(err, &dns):
		e.hint = "the host of --server does not resolve: check --server or CADENZA_SERVER"
	case isTimeout(err):
		e.hint = fmt.Sprintf("no answer within --timeout %s: check that the WFM runs and is reachable, or raise --timeout", c.timeout)
	default:
		e.hint = "check --server (or CADENZA_SERVER) and that the WFM runs"
	}
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// fail prints err (an apiError with its problem's violations and hint, or
// another error) and returns 1.
func (c *ctl) fail(err error) int {
	fmt.Fprintf(c.stderr, "cadenza %s: %s\n", c.cmd, err)
	var e *apiError
	if errors.As(err, &e) {
		for _, v := range e.problem.Errors {
			fmt.Fprintf(c.stderr, "  %s: %s\n", v.Field, v.Message)
		}
		if e.hint != "" {
			fmt.Fprintf(c.stderr, "hint: %s\n", e.hint)
		}
	}
	return 1
}

// get decodes the JSON body of a GET into v (when not nil) and returns it.
func (c *ctl) get(ctx context.Context, path string, query url.Values, notFound string, v any) ([]byte, error) {
	b, _, err := c.do(ctx, request{method: http.MethodGet, path: path, query: query, notFound: notFound})
	if err != nil {
		return nil, err
	}
	return b, decodeInto(b, v, path)
}

// send makes a call with a body (nil: none) and decodes the response into v
// (when not nil and there is a body).
func (c *ctl) send(ctx context.Context, r request, v any) ([]byte, int, error) {
	b, status, err := c.do(ctx, r)
	if err != nil {
		return nil, status, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, status, nil
	}
	return b, status, decodeInto(b, v, r.path)
}

func decodeInto(b []byte, v any, path string) error {
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("the answer of %s is not the JSON expected: %v", path, err)
	}
	return nil
}

// maxPages bounds a listing walk (a server repeating a cursor).
const maxPages = 100000

// list walks a listing, following next, and returns every item.
func (c *ctl) list(ctx context.Context, path string, query url.Values) ([]json.RawMessage, error) {
	var items []json.RawMessage
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	seen := map[string]bool{}
	for range maxPages {
		var page struct {
			Items []json.RawMessage `json:"items"`
			Next  string            `json:"next"`
		}
		if _, err := c.get(ctx, path, q, "", &page); err != nil {
			return nil, err
		}
		items = append(items, page.Items...)
		if page.Next == "" {
			return items, nil
		}
		if seen[page.Next] {
			return nil, fmt.Errorf("the listing %s repeats its cursor %q", path, page.Next)
		}
		seen[page.Next] = true
		q.Set("after", page.Next)
	}
	return nil, fmt.Errorf("the listing %s has too many pages", path)
}

// decodeItems decodes the raw items of a listing into a slice of T.
func decodeItems[T any](raw []json.RawMessage, path string) ([]T, error) {
	out := make([]T, len(raw))
	for i, r := range raw {
		if err := decodeInto(r, &out[i], path); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// deviceRef is CLIENT[/DEVICE]: client ids never contain '/', device ids may.
type deviceRef struct {
	ClientID string `json:"clientId"`
	DeviceID string `json:"deviceId,omitempty"`
}

func (d deviceRef) String() string {
	if d.DeviceID == "" {
		return d.ClientID
	}
	return d.ClientID + "/" + d.DeviceID
}

// parseDeviceRef splits CLIENT[/DEVICE] at the first '/'.
func parseDeviceRef(s string) (deviceRef, error) {
	client, dev, hasDev := strings.Cut(s, "/")
	switch {
	case client == "":
		return deviceRef{}, fmt.Errorf("%q: expected CLIENT or CLIENT/DEVICE, the client id first", s)
	case hasDev && dev == "":
		return deviceRef{}, fmt.Errorf("%q: the device id after '/' is empty (give CLIENT alone for every device of a client)", s)
	}
	return deviceRef{ClientID: client, DeviceID: dev}, nil
}

// devicePath is the API path of one device.
func devicePath(d deviceRef) string {
	return pathOf("clients", d.ClientID, "devices", "/"+d.DeviceID)
}

// resolveDevice returns d when it names a device; for a client alone, the
// client's only device, or an error naming its devices.
func (c *ctl) resolveDevice(ctx context.Context, d deviceRef) (deviceRef, error) {
	if d.DeviceID != "" {
		return d, nil
	}
	devs, _, err := c.clientDevices(ctx, d.ClientID)
	if err != nil {
		return d, err
	}
	switch len(devs) {
	case 0:
		return d, c.noDevices(d.ClientID)
	case 1:
		return deviceRef{ClientID: devs[0].ClientID, DeviceID: devs[0].DeviceID}, nil
	}
	ids := make([]string, len(devs))
	for i, x := range devs {
		ids[i] = x.DeviceID
	}
	return d, &apiError{msg: fmt.Sprintf("client %s has %d devices (%s)", d.ClientID, len(devs), strings.Join(ids, ", ")),
		hint: fmt.Sprintf("name one as %s/DEVICE", d.ClientID)}
}

func (c *ctl) noDevices(client string) error {
	return &apiError{msg: fmt.Sprintf("client %s has reported no device", client),
		hint: "check the client id with `cadenza device list`; a device appears once it has reported its capabilities"}
}

// clientDevices lists the devices of one client.
func (c *ctl) clientDevices(ctx context.Context, client string) ([]apiDevice, []json.RawMessage, error) {
	raw, err := c.list(ctx, "/devices", url.Values{"clientId": {client}})
	if err != nil {
		return nil, nil, err
	}
	devs, err := decodeItems[apiDevice](raw, "/devices")
	return devs, raw, err
}
