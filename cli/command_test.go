package cli

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testNow is the clock of the operator command tests.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// fakeReply is a canned answer of fakeAPI.
type fakeReply struct {
	status int
	body   string
	ctype  string // application/json when empty and there is a body
}

func okJSON(body string) fakeReply { return fakeReply{status: 200, body: body} }

func problemReply(status int, title, detail string, violations ...string) fakeReply {
	var errs []map[string]string
	for _, v := range violations {
		f, m, _ := strings.Cut(v, ": ")
		errs = append(errs, map[string]string{"field": f, "message": m})
	}
	p := map[string]any{"type": "about:blank", "title": title, "status": status, "detail": detail}
	if errs != nil {
		p["errors"] = errs
	}
	b, _ := json.Marshal(p)
	return fakeReply{status: status, body: string(b), ctype: "application/problem+json"}
}

// fakeAPI stands in for the operator API: it answers the requests whose
// "METHOD /escaped/path?query" is a key of routes (anything else is the
// binding's 404 problem) and records every request.
type fakeAPI struct {
	url    string // the operator API base URL
	caFile string
	mu     sync.Mutex
	routes map[string]fakeReply
	got    []string // "METHOD /path?query[ CONTENT-TYPE BODY]"
	auth   []string
}

func newFakeAPI(t *testing.T, routes map[string]fakeReply) *fakeAPI {
	t.Helper()
	api := &fakeAPI{routes: routes}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.EscapedPath()
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		body, _ := io.ReadAll(r.Body)
		rec := key
		if m := r.Header.Get("If-Match"); m != "" {
			rec += " If-Match:" + m
		}
		if len(body) > 0 {
			rec += " " + r.Header.Get("Content-Type") + " " + string(body)
		}
		api.mu.Lock()
		api.got = append(api.got, rec)
		api.auth = append(api.auth, r.Header.Get("Authorization"))
		reply, ok := api.routes[key]
		api.mu.Unlock()
		if !ok {
			reply = problemReply(404, "Not Found", "no endpoint serves this path")
		}
		if reply.body != "" {
			ct := reply.ctype
			if ct == "" {
				ct = "application/json"
			}
			w.Header().Set("Content-Type", ct)
		}
		w.WriteHeader(reply.status)
		_, _ = io.WriteString(w, reply.body)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes the tests fail on purpose
	srv.StartTLS()
	t.Cleanup(srv.Close)
	api.url = srv.URL + "/fleet/v1"
	api.caFile = filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(api.caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return api
}

func (a *fakeAPI) requests() ([]string, []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.got), slices.Clone(a.auth)
}

// newTestCommand is a command with the fixed clock and the environment env.
func newTestCommand(env map[string]string, stdout, stderr io.Writer) *command {
	return &command{
		stdout: stdout, stderr: stderr, version: "test",
		lookupEnv:  func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		fileExists: func(string) bool { return false },
		now:        func() time.Time { return testNow },
	}
}

// runCtl runs an operator command against api (nil: no server flags) with
// the global flags after the command's arguments.
func runCtl(api *fakeAPI, env map[string]string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	if api != nil {
		args = append(slices.Clone(args), "--server", api.url, "--cacert", api.caFile, "--token", "tok")
	}
	code := newTestCommand(env, &out, &errb).run(args)
	return code, out.String(), errb.String()
}

// Fixtures, as the API serves them.
const (
	regMain = `{"name":"main","url":"https://git.example/apps.git","ref":"v1","path":"apps","username":"u","secretEnv":"REG_PASS",` +
		`"lastSync":"2025-06-01T11:55:00Z","lastRevision":"0123456789abcdef0123",` +
		`"packages":[{"dir":"alpha","file":"apps/alpha/margo.yaml","id":"alpha","version":"1.1.0"},` +
		`{"dir":"beta","file":"apps/beta/margo.yaml","id":"beta","version":"2.1.0","violations":[{"field":"parameters.p.targets[0].components[0]","message":"names no component"}]},` +
		`{"dir":"gamma","file":"apps/gamma","error":{"code":"too-large","message":"package gamma holds more than 1000 files"}}]}`
	regLocal  = `{"name":"local","url":"/srv/apps"}`
	regFailed = `{"name":"main","url":"https://git.example/apps.git","lastSync":"2025-06-01T11:59:30Z","lastError":{"code":"unauthorized","message":"authentication required"}}`
	appAlpha  = `{"id":"alpha","name":"App alpha","tagline":"Greets","latest":"1.1.0","versions":[{"version":"1.0.0","registry":"main"},{"version":"1.1.0","registry":"main"}]}`
	appBeta   = `{"id":"beta","name":"App beta","latest":"2.0.0","versions":[{"version":"2.0.0","registry":"local"}]}`
	alphaV11  = `{"id":"alpha","version":"1.1.0","registry":"main","dir":"alpha","revision":"0123456789abcdef0123","digest":"sha256:abcd","syncedAt":"2025-06-01T11:55:00Z",` +
		`"description":{"format":"v1","id":"alpha","name":"App alpha","version":"1.1.0","description":"Says hello","catalog":{},` +
		`"profiles":[{"type":"helm","id":"alpha-helm","components":[{"name":"web","properties":{"repository":"oci://r/web","revision":"1.0.0"}},{"name":"db","properties":{}}],` +
		`"constraints":{"cpuCores":1.5,"architectures":["amd64","arm64"],"memory":"1Gi"}},` +
		`{"type":"compose","id":"alpha-compose","components":[{"name":"app","properties":{}}]}],` +
		`"parameters":{"greeting":{"value":"hello","targets":[{"pointer":"greeting","components":["web"]},{"pointer":"GREETING","components":["app"]}]},"port":{"targets":[{"pointer":"port","components":["web"]}]}},` +
		`"configuration":{"sections":[{"name":"General","settings":[{"parameter":"greeting","name":"Greeting","schema":"text"},{"parameter":"port","name":"Port","immutable":true,"schema":"port"}]}],` +
		`"schema":[{"name":"text","dataType":"string","maxLength":45},{"name":"port","dataType":"integer","minValue":1,"maxValue":65535}]}},"fileNames":["margo.yaml"]}`
	devD1 = `{"clientId":"c1","deviceId":"d1","capabilities":{"apiVersion":"device.margo.org/v1alpha1","kind":"DeviceCapabilitiesManifest",` +
		`"properties":{"id":"d1","vendor":"Northstar","modelNumber":"N1","serialNumber":"S1"},"labels":{"site":"plant-1","cores":4}},` +
		`"reported":"2025-06-01T11:00:00Z","revision":3,"labels":{"site":"plant-2","tier":"a"}}`
	devChild = `{"clientId":"c1","deviceId":"gw/child","capabilities":{"id":"gw/child","vendor":"Acme","modelNumber":"M2"},"reported":"2025-05-30T12:00:00Z","revision":1}`
	rollEcho = `{"id":"echo-plant1","application":"com-example-echo","version":"1.0.0","profile":"","namespace":"margo","parameters":{"greeting":"hello","port":8080},` +
		`"target":{"devices":[{"clientId":"c1","deviceId":"d1"},{"clientId":"c2"}],"selector":{"matchLabels":{"site":"plant-1"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]}]}},` +
		`"generation":2,"deleting":false,"created":"2025-06-01T10:00:00Z","updated":"2025-06-01T11:30:00Z",` +
		`"summary":{"devices":3,"assigned":2,"ineligible":1,"states":{"installed":1,"pending":1}}}`
	rollGone = `{"id":"old-1","application":"com-example-old","version":"0.1.0","namespace":"margo","target":{"devices":[{"clientId":"a"},{"clientId":"b"},{"clientId":"c"}]},` +
		`"generation":1,"deleting":true,"created":"2025-05-01T12:00:00Z","updated":"2025-05-01T12:00:00Z","summary":{"devices":0,"assigned":0,"ineligible":0,"states":{}}}`
	placements = `{"items":[{"clientId":"c1","deviceId":"d1","eligible":true,"profile":"echo-helm","deploymentId":"8c4e-1","digest":"sha256:aa","state":"installed"},` +
		`{"clientId":"c2","deviceId":"x/y","eligible":true,"profile":"echo-compose","deploymentId":"8c4e-2","digest":"sha256:bb","state":"pending"},` +
		`{"clientId":"c3","deviceId":"z","eligible":false,"reason":"no profile fits: cpu 1 < 2"}]}`
	eligibleAnswer = `{"application":"alpha","version":"1.1.0","clientId":"c1","deviceId":"d1","profiles":[` +
		`{"profile":"alpha-helm","type":"helm","eligible":false,"reasons":[{"check":"cpu","ok":true,"message":"4 cores >= 1.5"},{"check":"architecture","ok":false,"message":"riscv64 is not amd64 or arm64"}]},` +
		`{"profile":"alpha-compose","type":"compose","eligible":true,"reasons":[]}]}`
)

// ctlCase is one operator command against a fake API.
type ctlCase struct {
	name   string
	args   []string
	routes map[string]fakeReply
	files  map[string]string // written to a temp dir; "@name" in args is replaced by the path
	code   int
	reqs   []string // every request, in order
	stdout string
	stderr string
}

func runCtlCases(t *testing.T, cases []ctlCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t, tc.routes)
			args := slices.Clone(tc.args)
			dir := t.TempDir()
			if len(tc.files) > 0 {
				for name, content := range tc.files {
					if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				for i, a := range args {
					if name, ok := strings.CutPrefix(a, "@"); ok {
						args[i] = filepath.Join(dir, name)
					}
				}
			}
			code, out, errOut := runCtl(api, nil, args...)
			clean := strings.NewReplacer(api.url, "$API", dir, "$DIR")
			out, errOut = clean.Replace(out), clean.Replace(errOut)
			got, auth := api.requests()
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			if !reflect.DeepEqual(got, tc.reqs) && (len(got) > 0 || len(tc.reqs) > 0) {
				t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.reqs, "\n"))
			}
			for _, a := range auth {
				if a != "Bearer tok" {
					t.Errorf("Authorization %q, want Bearer tok", a)
				}
			}
			if out != tc.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, tc.stdout)
			}
			if errOut != tc.stderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", errOut, tc.stderr)
			}
		})
	}
}

func TestProblemsAndHints(t *testing.T) {
	runCtlCases(t, []ctlCase{{
		name:   "a token the WFM refuses",
		args:   []string{"deployment", "list"},
		routes: map[string]fakeReply{"GET /fleet/v1/deployments": problemReply(401, "Unauthorized", "the bearer token is not valid")},
		reqs:   []string{"GET /fleet/v1/deployments"},
		code:   1,
		stderr: "cadenza deployment list: Unauthorized (401): the bearer token is not valid\n" +
			"hint: pass a token the WFM accepts with --token or set CADENZA_TOKEN (samples/wfm.json accepts $CADENZA_TOKEN of the WFM, else sandbox-token)\n",
	}, {
		name:   "a proxy's error page",
		args:   []string{"app", "list"},
		routes: map[string]fakeReply{"GET /fleet/v1/applications": {status: 502, ctype: "text/html", body: "<html>Bad gateway</html>\nmore"}},
		reqs:   []string{"GET /fleet/v1/applications"},
		code:   1,
		stderr: "cadenza app list: Bad Gateway (502): <html>Bad gateway</html>\nhint: the WFM failed; see its log\n",
	}, {
		name: "a route this WFM lacks",
		args: []string{"eligibility", "alpha", "--device", "c1/d1", "--version", "1"},
		reqs: []string{"GET /fleet/v1/eligibility?application=alpha&clientId=c1&deviceId=d1&version=1"},
		code: 1,
		stderr: "cadenza eligibility: Not Found (404): no endpoint serves this path\n" +
			"hint: the server at $API does not serve GET /eligibility: check that --server ends with the operator API prefix (like /fleet/v1), and that the WFM is recent enough for this command\n",
	}, {
		name:   "a listing that repeats its cursor",
		args:   []string{"device", "list"},
		routes: map[string]fakeReply{"GET /fleet/v1/devices": okJSON(`{"items":[],"next":"a"}`), "GET /fleet/v1/devices?after=a": okJSON(`{"items":[],"next":"a"}`)},
		reqs:   []string{"GET /fleet/v1/devices", "GET /fleet/v1/devices?after=a"},
		code:   1,
		stderr: "cadenza device list: the listing /devices repeats its cursor \"a\"\n",
	}, {
		name:   "an answer that is not the JSON expected",
		args:   []string{"registry", "show", "x"},
		routes: map[string]fakeReply{"GET /fleet/v1/registries/x": okJSON(`[1]`)},
		reqs:   []string{"GET /fleet/v1/registries/x"},
		code:   1,
		stderr: "cadenza registry show: the answer of /registries/x is not the JSON expected: json: cannot unmarshal array into Go value of type fleet.Registry\n",
	}, {
		name: "an unknown output format", args: []string{"app", "list", "-o", "xml"}, code: 2,
		stderr: "cadenza app list: -o \"xml\": the output format is table, json or yaml\nusage: cadenza app list (cadenza app list -h for more)\n",
	}})
}

func TestGlobalFlagsAndEnvironment(t *testing.T) {
	api := newFakeAPI(t, map[string]fakeReply{"GET /fleet/v1/applications": okJSON(`{"items":[]}`)})
	env := map[string]string{"CADENZA_SERVER": api.url + "/", "CADENZA_TOKEN": "env-token", "CADENZA_CACERT": api.caFile}
	for _, tc := range []struct {
		name     string
		env      map[string]string
		args     []string
		wantAuth string
	}{
		{"from the environment", env, nil, "Bearer env-token"},
		{"flags win", env, []string{"--token", "flag-token"}, "Bearer flag-token"},
		{"the sandbox token by default", map[string]string{"CADENZA_SERVER": api.url, "CADENZA_CACERT": api.caFile}, nil, "Bearer sandbox-token"},
		{"an empty --token sends none", env, []string{"--token="}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := api.requests()
			code, _, errOut := runCtl(nil, tc.env, append([]string{"app", "list"}, tc.args...)...)
			got, auth := api.requests()
			if code != 0 || len(got) != len(before)+1 || auth[len(auth)-1] != tc.wantAuth {
				t.Fatalf("exit %d (%s), requests %v, Authorization %q; want %q", code, errOut, got[len(before):], auth[len(auth)-1:], tc.wantAuth)
			}
		})
	}

	// Without environment: the defaults, and var/wfm/ca.pem when it exists.
	for _, exists := range []bool{false, true} {
		var out, errb bytes.Buffer
		c := newTestCommand(nil, &out, &errb)
		c.fileExists = func(p string) bool { return exists && p == defaultCACert }
		c.name = "app list"
		_, code := c.parse(c.flags("", ""), nil, 0, 0)
		switch {
		case !exists && (code != -1 || c.server != defaultServer || c.token != defaultToken || c.cacert != ""):
			t.Errorf("defaults: exit %d, server %q token %q cacert %q (%s)", code, c.server, c.token, c.cacert, errb.String())
		case exists && (code != 2 || c.cacert != defaultCACert || !strings.HasPrefix(errb.String(), "cadenza app list: the CA file of var/wfm/ca.pem: open var/wfm/ca.pem: ")):
			t.Errorf("default CA file: exit %d, cacert %q: %s", code, c.cacert, errb.String())
		}
	}

	missing := filepath.Join(t.TempDir(), "none.pem")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--server", "ftp://x"}, "cadenza app list: --server \"ftp://x\" must be an http(s) URL of the operator API, like https://127.0.0.1:8443/fleet/v1\n"},
		{[]string{"--server", "127.0.0.1:8443"}, "cadenza app list: --server \"127.0.0.1:8443\" must be an http(s) URL of the operator API, like https://127.0.0.1:8443/fleet/v1\n"},
		{[]string{"--timeout", "0s"}, "cadenza app list: --timeout must be positive\n"},
		{[]string{"--cacert", missing}, "cadenza app list: the CA file of --cacert: open " + missing + ": no such file or directory\n"},
		{[]string{"--cacert", "command_test.go"}, "cadenza app list: command_test.go (--cacert) holds no PEM certificate\n"},
	} {
		code, out, errOut := runCtl(nil, nil, append([]string{"app", "list"}, tc.args...)...)
		if code != 2 || out != "" || errOut != tc.want {
			t.Errorf("%v: exit %d, stderr %q; want 2, %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestTransportErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "https://" + ln.Addr().String() + "/fleet/v1"
	ln.Close()
	api := newFakeAPI(t, nil)
	plainURL := "http://" + strings.TrimPrefix(api.url, "https://")

	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	tlsToPlain := "https://" + strings.TrimPrefix(plain.URL, "http://") + "/fleet/v1"

	for _, tc := range []struct {
		name   string
		args   []string
		stderr []string // substrings, in order
	}{
		{"nothing listens", []string{"--server", closed},
			[]string{"cadenza app list: nothing answers at " + closed + " (connection refused)\n",
				"hint: start the WFM with `cadenza run --config samples/wfm.json`, or point --server (or CADENZA_SERVER) at yours\n"}},
		{"an untrusted certificate", []string{"--server", api.url},
			[]string{"cadenza app list: " + api.url + ": ", "certificate",
				"\nhint: the WFM's certificate is not signed by a CA this command trusts: pass --cacert FILE or set CADENZA_CACERT (the sample WFM writes its CA to var/wfm/ca.pem)\n"}},
		{"http to an https port", []string{"--server", plainURL, "--cacert", api.caFile},
			[]string{"cadenza app list: Bad Request (400): Client sent an HTTP request to an HTTPS server.\n"}},
		{"https to an http port", []string{"--server", tlsToPlain},
			[]string{"cadenza app list: " + tlsToPlain + ": ", "\nhint: the server does not speak TLS: use an http:// --server URL, or the WFM's https port\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCtl(nil, nil, append([]string{"app", "list"}, tc.args...)...)
			rest := errOut
			for _, s := range tc.stderr {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Fatalf("stderr %q lacks %q", errOut, s)
				}
				rest = rest[i+len(s):]
			}
			if code != 1 || out != "" {
				t.Fatalf("exit %d, stdout %q", code, out)
			}
		})
	}
}

func TestInterruptedBySignal(t *testing.T) {
	entered := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	sigs := make(chan os.Signal, 1)
	var out, errb bytes.Buffer
	c := newTestCommand(nil, &out, &errb)
	c.signals = sigs
	done := make(chan int, 1)
	go func() { done <- c.run([]string{"app", "list", "--server", srv.URL + "/fleet/v1"}) }()
	<-entered
	sigs <- syscall.SIGINT
	if code := <-done; code != 1 || errb.String() != "cadenza app list: interrupted\n" {
		t.Fatalf("exit %d: %q", code, errb.String())
	}
}

func TestFlagsAnywhereAndDoubleDash(t *testing.T) {
	api := newFakeAPI(t, map[string]fakeReply{"PATCH /fleet/v1/clients/c1/devices/d1": okJSON(devChild)})
	var out, errb bytes.Buffer
	code := newTestCommand(nil, &out, &errb).run([]string{"device", "label", "--server", api.url, "c1/d1", "--cacert", api.caFile, "-o", "json", "a=1", "--token", "tok", "--", "-x=y", "--b-"})
	got, _ := api.requests()
	want := []string{`PATCH /fleet/v1/clients/c1/devices/d1 application/merge-patch+json {"labels":{"--b":null,"-x":"y","a":"1"}}`}
	if code != 0 || !reflect.DeepEqual(got, want) || !strings.HasPrefix(out.String(), "{\n  \"clientId\": \"c1\",") {
		t.Fatalf("exit %d %s\nrequests %v\nstdout %s", code, errb.String(), got, out.String())
	}
}

func TestHelpAndGroupDispatch(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		code       int
		out, errIn string // prefixes of stdout and stderr
	}{
		{[]string{"registry"}, 2, "", "cadenza registry: missing command\nusage: cadenza registry <command> [flags]\n\ncommands:\n  registry add NAME --url URL [flags]"},
		{[]string{"apps", "--help"}, 0, "usage: cadenza app <command> [flags]", ""},
		{[]string{"device", "bogus"}, 2, "", "cadenza device: unknown command \"bogus\"\nusage: cadenza device <command>"},
		{[]string{"deploy", "-h"}, 0, "usage: cadenza deploy APP [--version V]", ""},
		{[]string{"deployment", "update", "--help"}, 0, "usage: cadenza deployment update ID", ""},
		{[]string{"registry", "add", "-h"}, 0, "usage: cadenza registry add NAME --url URL", ""},
		{[]string{"eligibility", "-h"}, 0, "usage: cadenza eligibility APP --device", ""},
		{[]string{"call", "--help"}, 0, "usage: cadenza call [flags] METHOD TARGET", ""},
	} {
		var out, errb bytes.Buffer
		code := Run(tc.args, Env{Stdout: &out, Stderr: &errb})
		if code != tc.code || !strings.HasPrefix(out.String(), tc.out) || !strings.HasPrefix(errb.String(), tc.errIn) {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q", tc.args, code, out.String(), errb.String())
		}
	}
	for _, cmd := range []string{"call", "registry", "app", "device", "deploy", "deployment", "eligibility"} {
		if !strings.Contains(Usage, "  "+cmd+" ") || !Is(cmd) {
			t.Errorf("the usage lacks %s, or Is does not know it:\n%s", cmd, Usage)
		}
	}
	var out bytes.Buffer
	Run([]string{"deployment", "show", "-h"}, Env{Stdout: &out, Stderr: io.Discard})
	if !strings.Contains(out.String(), "\nglobal flags (every operator command):\n  --server URL") || strings.Contains(out.String(), "--cacert FILE\n    \t") {
		t.Errorf("the help lacks the global flags, or lists them twice:\n%s", out.String())
	}

	api := newFakeAPI(t, map[string]fakeReply{"GET /fleet/v1/applications": okJSON(`{"items":[` + appBeta + `]}`)})
	var errb bytes.Buffer
	out.Reset()
	if code := Run([]string{"app", "list", "--server", api.url, "--cacert", api.caFile, "--token", "tok", "-o", "yaml"}, Env{Stdout: &out, Stderr: &errb}); code != 0 ||
		out.String() != "items:\n- id: beta\n  latest: 2.0.0\n  name: App beta\n  versions:\n  - registry: local\n    version: 2.0.0\n" {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
}
