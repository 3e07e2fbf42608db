package main

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

	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// ctlNow is the clock of the operator command tests.
var ctlNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

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

// newTestCtl is a ctl with the fixed clock and the environment env.
func newTestCtl(env map[string]string, stdout, stderr io.Writer) *ctl {
	return &ctl{
		stdout: stdout, stderr: stderr,
		lookupEnv:  func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		fileExists: func(string) bool { return false },
		now:        func() time.Time { return ctlNow },
	}
}

// runCtl runs an operator command against api (nil: no server flags) with
// the global flags after the command's arguments.
func runCtl(api *fakeAPI, env map[string]string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	if api != nil {
		args = append(slices.Clone(args), "--server", api.url, "--cacert", api.caFile, "--token", "tok")
	}
	code := newTestCtl(env, &out, &errb).run(args)
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

func TestCtlRegistryCommands(t *testing.T) {
	addUsage := "usage: cadenza registry add " + registryAddSynopsis + " (cadenza registry add -h for more)\n"
	runCtlCases(t, []ctlCase{{
		name:   "add with a tag, a folder and basic auth",
		args:   []string{"registry", "add", "main", "--url", "https://git.example/apps.git", "--tag", "v1", "--path", "apps", "--username", "u", "--password-env", "REG_PASS"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries": {status: 201, body: `{"name":"main","url":"https://git.example/apps.git","ref":"v1","path":"apps","username":"u","secretEnv":"REG_PASS"}`}},
		reqs:   []string{`POST /fleet/v1/registries application/json {"name":"main","url":"https://git.example/apps.git","ref":"v1","path":"apps","username":"u","secretEnv":"REG_PASS"}`},
		stdout: "registry main added; fetch it now with: cadenza registry sync main\nthe WFM reads the secret from its environment variable REG_PASS at every sync\n",
	}, {
		name:   "add with a branch and a bearer token, flags first",
		args:   []string{"registry", "add", "--branch", "dev", "--token-env", "GIT_TOKEN", "main", "--url", "/srv/apps", "-o", "json"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries": {status: 201, body: `{"name":"main","url":"/srv/apps","ref":"dev","secretEnv":"GIT_TOKEN"}`}},
		reqs:   []string{`POST /fleet/v1/registries application/json {"name":"main","url":"/srv/apps","ref":"dev","secretEnv":"GIT_TOKEN"}`},
		stdout: "{\n  \"name\": \"main\",\n  \"url\": \"/srv/apps\",\n  \"ref\": \"dev\",\n  \"secretEnv\": \"GIT_TOKEN\"\n}\n",
	}, {
		name:   "add a name taken",
		args:   []string{"registry", "add", "main", "--url", "/srv/apps"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries": problemReply(409, "Conflict", `registry "main" already exists`)},
		code:   1,
		reqs:   []string{`POST /fleet/v1/registries application/json {"name":"main","url":"/srv/apps"}`},
		stderr: "cadenza registry add: Conflict (409): registry \"main\" already exists\nhint: pick another name, or remove it first with cadenza registry remove main\n",
	}, {
		name:   "add refused with violations",
		args:   []string{"registry", "add", "Main!", "--url", "x"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries": problemReply(400, "Bad Request", "invalid registry", "name: must match ^[a-z0-9][-a-z0-9]{0,62}$", "url: is not a git URL")},
		code:   1,
		reqs:   []string{`POST /fleet/v1/registries application/json {"name":"Main!","url":"x"}`},
		stderr: "cadenza registry add: Bad Request (400): invalid registry\n  name: must match ^[a-z0-9][-a-z0-9]{0,62}$\n  url: is not a git URL\n",
	}, {
		name: "add without --url", args: []string{"registry", "add", "main"}, code: 2,
		stderr: "cadenza registry add: --url is required\n" + addUsage,
	}, {
		name: "add with a branch and a tag", args: []string{"registry", "add", "main", "--url", "u", "--branch", "a", "--tag", "b"}, code: 2,
		stderr: "cadenza registry add: give --branch or --tag, not both\n" + addUsage,
	}, {
		name: "add a password without a user", args: []string{"registry", "add", "main", "--url", "u", "--password-env", "P"}, code: 2,
		stderr: "cadenza registry add: --password-env needs --username (for a bearer token, use --token-env)\n" + addUsage,
	}, {
		name: "add with an interval", args: []string{"registry", "add", "main", "--url", "u", "--interval", "10m"}, code: 2,
		stderr: "cadenza registry add: --interval: a registry has no sync interval of its own; the WFM syncs every registry on the \"interval\" of its managers.catalog (5m in samples/wfm.json); sync one now with cadenza registry sync NAME\n" + addUsage,
	}, {
		name: "add two names", args: []string{"registry", "add", "a", "b", "--url", "u"}, code: 2,
		stderr: "cadenza registry add: unexpected argument \"b\"\n" + addUsage,
	}, {
		name: "add with an unknown flag", args: []string{"registry", "add", "a", "--urls", "u"}, code: 2,
		stderr: "flag provided but not defined: -urls\n" + addUsage,
	}, {
		name: "list pages through the listing",
		args: []string{"registry", "list"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/registries":          okJSON(`{"items":[` + regMain + `],"next":"p2"}`),
			"GET /fleet/v1/registries?after=p2": okJSON(`{"items":[` + regLocal + `,` + regFailed + `]}`),
		},
		reqs: []string{"GET /fleet/v1/registries", "GET /fleet/v1/registries?after=p2"},
		stdout: "" +
			"NAME   URL                           REF     PATH    STATUS                REVISION      PACKAGES  INVALID  SYNCED\n" +
			"main   https://git.example/apps.git  v1      apps    Synced                0123456789ab  3         2        5m\n" +
			"local  /srv/apps                     <none>  <none>  Pending               <none>        0         0        <none>\n" +
			"main   https://git.example/apps.git  <none>  <none>  Failed(unauthorized)  <none>        0         0        30s\n",
	}, {
		name:   "list as JSON merges the pages",
		args:   []string{"registry", "list", "-o", "json"},
		routes: map[string]fakeReply{"GET /fleet/v1/registries": okJSON(`{"items":[` + regLocal + `],"next":"p2"}`), "GET /fleet/v1/registries?after=p2": okJSON(`{"items":[]}`)},
		reqs:   []string{"GET /fleet/v1/registries", "GET /fleet/v1/registries?after=p2"},
		stdout: "{\n  \"items\": [\n    {\n      \"name\": \"local\",\n      \"url\": \"/srv/apps\"\n    }\n  ]\n}\n",
	}, {
		name:   "list as YAML",
		args:   []string{"registry", "list", "-o", "yaml"},
		routes: map[string]fakeReply{"GET /fleet/v1/registries": okJSON(`{"items":[` + regLocal + `]}`)},
		reqs:   []string{"GET /fleet/v1/registries"},
		stdout: "items:\n- name: local\n  url: /srv/apps\n",
	}, {
		name:   "list none",
		args:   []string{"registry", "list"},
		routes: map[string]fakeReply{"GET /fleet/v1/registries": okJSON(`{"items":[]}`)},
		reqs:   []string{"GET /fleet/v1/registries"},
		stderr: "No registries found.\nAdd one with: cadenza registry add NAME --url URL\n",
	}, {
		name:   "sync prints the packages and their violations",
		args:   []string{"registry", "sync", "main"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries/main/sync": okJSON(regMain)},
		reqs:   []string{"POST /fleet/v1/registries/main/sync"},
		stdout: "" +
			"Name:       main\n" +
			"URL:        https://git.example/apps.git\n" +
			"Ref:        v1\n" +
			"Path:       apps\n" +
			"Auth:       user u, password from $REG_PASS on the WFM\n" +
			"Status:     Synced\n" +
			"Last sync:  2025-06-01T11:55:00Z (5m ago)\n" +
			"Revision:   0123456789abcdef0123\n" +
			"\n" +
			"PACKAGE  APPLICATION  VERSION  STATUS\n" +
			"alpha    alpha        1.1.0    ok\n" +
			"beta     beta         2.1.0    Invalid(1)\n" +
			"gamma    <none>       <none>   Error(too-large)\n" +
			"\n" +
			"apps/beta/margo.yaml: parameters.p.targets[0].components[0]: names no component\n" +
			"apps/gamma: package gamma holds more than 1000 files\n",
	}, {
		name:   "sync that failed exits 1",
		args:   []string{"registry", "sync", "main"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries/main/sync": okJSON(regFailed)},
		reqs:   []string{"POST /fleet/v1/registries/main/sync"},
		code:   1,
		stdout: "" +
			"Name:        main\n" +
			"URL:         https://git.example/apps.git\n" +
			"Ref:         <default branch>\n" +
			"Path:        <root>\n" +
			"Auth:        <none>\n" +
			"Status:      Failed(unauthorized)\n" +
			"Last sync:   2025-06-01T11:59:30Z (30s ago)\n" +
			"Revision:    <none>\n" +
			"Last error:  unauthorized: authentication required\n",
		stderr: "cadenza registry sync: the sync of registry main failed: authentication required\n" +
			"hint: check the registry's --username and that the WFM's environment holds the secret variable (secretEnv); remove and add the registry to change them\n",
	}, {
		name:   "sync an unknown registry",
		args:   []string{"registry", "sync", "nope"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries/nope/sync": problemReply(404, "Not Found", `registry "nope" not found`)},
		reqs:   []string{"POST /fleet/v1/registries/nope/sync"},
		code:   1,
		stderr: "cadenza registry sync: Not Found (404): registry \"nope\" not found\nhint: no registry nope: list them with `cadenza registry list`\n",
	}, {
		name:   "show as YAML",
		args:   []string{"registry", "show", "local", "-o", "yaml"},
		routes: map[string]fakeReply{"GET /fleet/v1/registries/local": okJSON(regLocal)},
		reqs:   []string{"GET /fleet/v1/registries/local"},
		stdout: "name: local\nurl: /srv/apps\n",
	}, {
		name:   "remove",
		args:   []string{"registry", "remove", "main"},
		routes: map[string]fakeReply{"DELETE /fleet/v1/registries/main": {status: 204}},
		reqs:   []string{"DELETE /fleet/v1/registries/main"},
		stdout: "registry main removed\n",
	}, {
		name:   "rm with -o json prints nothing",
		args:   []string{"registries", "rm", "main", "-o", "json"},
		routes: map[string]fakeReply{"DELETE /fleet/v1/registries/main": {status: 204}},
		reqs:   []string{"DELETE /fleet/v1/registries/main"},
	}, {
		name: "a WFM without a catalog",
		args: []string{"registry", "list"},
		reqs: []string{"GET /fleet/v1/registries"},
		code: 1,
		stderr: "cadenza registry list: Not Found (404): no endpoint serves this path\n" +
			"hint: the server at $API does not serve GET /registries: check that --server ends with the operator API prefix (like /fleet/v1), and that the WFM is recent enough for this command; the catalog routes need a managers.catalog among the managers of vendors.fleet (see samples/wfm.json)\n",
	}})
}

func TestCtlAppCommands(t *testing.T) {
	runCtlCases(t, []ctlCase{{
		name:   "list",
		args:   []string{"app", "list"},
		routes: map[string]fakeReply{"GET /fleet/v1/applications": okJSON(`{"items":[` + appAlpha + `,` + appBeta + `]}`)},
		reqs:   []string{"GET /fleet/v1/applications"},
		stdout: "" +
			"ID     NAME       LATEST  VERSIONS     TAGLINE\n" +
			"alpha  App alpha  1.1.0   1.0.0,1.1.0  Greets\n" +
			"beta   App beta   2.0.0   2.0.0        <none>\n",
	}, {
		name:   "list none",
		args:   []string{"apps", "ls"},
		routes: map[string]fakeReply{"GET /fleet/v1/applications": okJSON(`{"items":[]}`)},
		reqs:   []string{"GET /fleet/v1/applications"},
		stderr: "No applications found.\nApplications come from registries: cadenza registry add NAME --url URL, then cadenza registry sync NAME\n",
	}, {
		name: "show the latest version",
		args: []string{"app", "show", "alpha"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/applications/alpha":                okJSON(appAlpha),
			"GET /fleet/v1/applications/alpha/versions/1.1.0": okJSON(alphaV11),
		},
		reqs: []string{"GET /fleet/v1/applications/alpha", "GET /fleet/v1/applications/alpha/versions/1.1.0"},
		stdout: "" +
			"ID:           alpha\n" +
			"Name:         App alpha\n" +
			"Tagline:      Greets\n" +
			"Latest:       1.1.0\n" +
			"Versions:     1.0.0 (main), 1.1.0 (main)\n" +
			"Version:      1.1.0\n" +
			"Registry:     main, folder alpha, revision 0123456789ab\n" +
			"Digest:       sha256:abcd\n" +
			"Description:  Says hello\n" +
			"\n" +
			"PROFILE        TYPE     COMPONENTS  CONSTRAINTS\n" +
			"alpha-helm     helm     web,db      cpu>=1.5, arch=amd64|arm64, memory>=1Gi\n" +
			"alpha-compose  compose  app         <none>\n" +
			"\n" +
			"PARAMETER  DEFAULT  TARGETS\n" +
			"greeting   \"hello\"  greeting (web); GREETING (app)\n" +
			"port       <none>   port (web)\n" +
			"\n" +
			"PARAMETER  SETTING   SECTION  TYPE     REQUIRED  IMMUTABLE  RULE\n" +
			"greeting   Greeting  General  string   no        no         length<=45\n" +
			"port       Port      General  integer  yes       yes        >=1, <=65535\n",
	}, {
		name: "show a version as JSON",
		args: []string{"app", "show", "beta", "--version", "2.0.0", "-o", "json"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/applications/beta":                okJSON(appBeta),
			"GET /fleet/v1/applications/beta/versions/2.0.0": okJSON(`{"id":"beta","version":"2.0.0"}`),
		},
		reqs: []string{"GET /fleet/v1/applications/beta", "GET /fleet/v1/applications/beta/versions/2.0.0"},
		stdout: "{\n  \"application\": {\n    \"id\": \"beta\",\n    \"name\": \"App beta\",\n    \"latest\": \"2.0.0\",\n    \"versions\": [\n      {\n" +
			"        \"version\": \"2.0.0\",\n        \"registry\": \"local\"\n      }\n    ]\n  },\n  \"version\": {\n    \"id\": \"beta\",\n    \"version\": \"2.0.0\"\n  }\n}\n",
	}, {
		name: "show an unknown version",
		args: []string{"app", "show", "alpha", "--version", "9.9.9"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/applications/alpha":                okJSON(appAlpha),
			"GET /fleet/v1/applications/alpha/versions/9.9.9": problemReply(404, "Not Found", "application alpha has no version 9.9.9"),
		},
		reqs:   []string{"GET /fleet/v1/applications/alpha", "GET /fleet/v1/applications/alpha/versions/9.9.9"},
		code:   1,
		stderr: "cadenza app show: Not Found (404): application alpha has no version 9.9.9\nhint: application alpha has the versions 1.0.0, 1.1.0\n",
	}, {
		name:   "show an unknown application",
		args:   []string{"app", "show", "ghost"},
		routes: map[string]fakeReply{"GET /fleet/v1/applications/ghost": problemReply(404, "Not Found", `application "ghost" not found`)},
		reqs:   []string{"GET /fleet/v1/applications/ghost"},
		code:   1,
		stderr: "cadenza app show: Not Found (404): application \"ghost\" not found\nhint: no application ghost in the catalog: list them with `cadenza app list` (a registry sync adds them)\n",
	}, {
		name: "show without an id", args: []string{"app", "show"}, code: 2,
		stderr: "cadenza app show: missing arguments\nusage: cadenza app show ID [--version V] (cadenza app show -h for more)\n",
	}})
}

func TestCtlDeviceCommands(t *testing.T) {
	d1Describe := "" +
		"Client:    c1\n" +
		"Device:    d1\n" +
		"Model:     Northstar N1\n" +
		"Serial:    S1\n" +
		"Revision:  3\n" +
		"Reported:  2025-06-01T11:00:00Z (60m ago)\n" +
		"\n" +
		"LABEL  VALUE    SOURCE\n" +
		"cores  4        device\n" +
		"site   plant-2  operator (device reports plant-1)\n" +
		"tier   a        operator\n" +
		"\n" +
		"Capabilities:\n" +
		"  apiVersion: device.margo.org/v1alpha1\n" +
		"  kind: DeviceCapabilitiesManifest\n" +
		"  labels:\n" +
		"    cores: 4\n" +
		"    site: plant-1\n" +
		"  properties:\n" +
		"    id: d1\n" +
		"    modelNumber: N1\n" +
		"    serialNumber: S1\n" +
		"    vendor: Northstar\n"
	deviceTable := "" +
		"CLIENT  DEVICE    LABELS                       REVISION  REPORTED\n" +
		"c1      d1        cores=4,site=plant-2,tier=a  3         60m\n" +
		"c1      gw/child  <none>                       1         2d\n"
	runCtlCases(t, []ctlCase{{
		name: "list with filters",
		args: []string{"device", "list", "--client", "c1", "-l", "site=plant-1", "-l", "tier,zone==z"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/devices?clientId=c1&label=site%3Dplant-1&label=tier&label=zone%3Dz": okJSON(`{"items":[` + devD1 + `,` + devChild + `]}`),
		},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c1&label=site%3Dplant-1&label=tier&label=zone%3Dz"},
		stdout: deviceTable,
	}, {
		name: "list filters the API cannot serve", args: []string{"devices", "list", "-l", "site!=a"}, code: 2,
		stderr: "cadenza device list: -l \"site!=a\": device list filters by k=v or k only\nusage: cadenza device list " + deviceListSynopsis + " (cadenza device list -h for more)\n",
	}, {
		name:   "show a device whose id has a slash",
		args:   []string{"device", "show", "c1/gw/child", "-o", "yaml"},
		routes: map[string]fakeReply{"GET /fleet/v1/clients/c1/devices/gw/child": okJSON(devChild)},
		reqs:   []string{"GET /fleet/v1/clients/c1/devices/gw/child"},
		stdout: "capabilities:\n  id: gw/child\n  modelNumber: M2\n  vendor: Acme\nclientId: c1\ndeviceId: gw/child\nreported: \"2025-05-30T12:00:00Z\"\nrevision: 1\n",
	}, {
		name:   "show the only device of a client",
		args:   []string{"device", "show", "c1"},
		routes: map[string]fakeReply{"GET /fleet/v1/devices?clientId=c1": okJSON(`{"items":[` + devD1 + `]}`)},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c1"},
		stdout: d1Describe,
	}, {
		name:   "show a client of several devices lists them",
		args:   []string{"device", "show", "c1"},
		routes: map[string]fakeReply{"GET /fleet/v1/devices?clientId=c1": okJSON(`{"items":[` + devD1 + `,` + devChild + `]}`)},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c1"},
		stdout: deviceTable,
		stderr: "client c1 has 2 devices: show one with cadenza device show c1/DEVICE\n",
	}, {
		name:   "show a client without devices",
		args:   []string{"device", "show", "c9"},
		routes: map[string]fakeReply{"GET /fleet/v1/devices?clientId=c9": okJSON(`{"items":[]}`)},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c9"},
		code:   1,
		stderr: "cadenza device show: client c9 has reported no device\nhint: check the client id with `cadenza device list`; a device appears once it has reported its capabilities\n",
	}, {
		name:   "show an unknown device",
		args:   []string{"device", "show", "c1/nope"},
		routes: map[string]fakeReply{"GET /fleet/v1/clients/c1/devices/nope": problemReply(404, "Not Found", "client c1 has no device nope")},
		reqs:   []string{"GET /fleet/v1/clients/c1/devices/nope"},
		code:   1,
		stderr: "cadenza device show: Not Found (404): client c1 has no device nope\nhint: list the devices of client c1 with `cadenza device list --client c1`\n",
	}, {
		name: "show with an empty device id", args: []string{"device", "show", "c1/"}, code: 2,
		stderr: "cadenza device show: \"c1/\": the device id after '/' is empty (give CLIENT alone for every device of a client)\nusage: cadenza device show CLIENT[/DEVICE] (cadenza device show -h for more)\n",
	}, {
		name:   "label sets and removes",
		args:   []string{"device", "label", "c1/d1", "site=plant-2", "old-", "note=a=b"},
		routes: map[string]fakeReply{"PATCH /fleet/v1/clients/c1/devices/d1": okJSON(devD1)},
		reqs:   []string{`PATCH /fleet/v1/clients/c1/devices/d1 application/merge-patch+json {"labels":{"note":"a=b","old":null,"site":"plant-2"}}`},
		stdout: "device c1/d1 labeled\n" +
			"LABEL  VALUE    SOURCE\n" +
			"cores  4        device\n" +
			"site   plant-2  operator (device reports plant-1)\n" +
			"tier   a        operator\n",
	}, {
		name: "label the only device of a client",
		args: []string{"device", "label", "c1", "tier-"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/devices?clientId=c1":           okJSON(`{"items":[` + devChild + `]}`),
			"PATCH /fleet/v1/clients/c1/devices/gw/child": okJSON(devChild),
		},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c1", `PATCH /fleet/v1/clients/c1/devices/gw/child application/merge-patch+json {"labels":{"tier":null}}`},
		stdout: "device c1/gw/child labeled\nLabels: <none>\n",
	}, {
		name:   "label a client of several devices",
		args:   []string{"device", "label", "c1", "a=b"},
		routes: map[string]fakeReply{"GET /fleet/v1/devices?clientId=c1": okJSON(`{"items":[` + devD1 + `,` + devChild + `]}`)},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c1"},
		code:   1,
		stderr: "cadenza device label: client c1 has 2 devices (d1, gw/child)\nhint: name one as c1/DEVICE\n",
	}, {
		name:   "label refused",
		args:   []string{"device", "label", "c1/d1", "Bad Key=x"},
		routes: map[string]fakeReply{"PATCH /fleet/v1/clients/c1/devices/d1": problemReply(422, "Unprocessable Entity", "invalid labels", "labels.Bad Key: must be a label key")},
		reqs:   []string{`PATCH /fleet/v1/clients/c1/devices/d1 application/merge-patch+json {"labels":{"Bad Key":"x"}}`},
		code:   1,
		stderr: "cadenza device label: Unprocessable Entity (422): invalid labels\n  labels.Bad Key: must be a label key\n",
	}, {
		name: "label without a change", args: []string{"device", "label", "c1/d1"}, code: 2,
		stderr: "cadenza device label: missing arguments\nusage: cadenza device label " + deviceLabelSynopsis + " (cadenza device label -h for more)\n",
	}, {
		name: "label with a bad change", args: []string{"device", "label", "c1/d1", "site"}, code: 2,
		stderr: "cadenza device label: \"site\": expected k=v to set a label or k- to remove it\nusage: cadenza device label " + deviceLabelSynopsis + " (cadenza device label -h for more)\n",
	}, {
		name: "label the same key twice", args: []string{"device", "label", "c1/d1", "a=1", "a-"}, code: 2,
		stderr: "cadenza device label: label \"a\" is given twice\nusage: cadenza device label " + deviceLabelSynopsis + " (cadenza device label -h for more)\n",
	}})
}

func TestCtlDeployCommands(t *testing.T) {
	echoDescribe := "" +
		"ID:           echo-plant1\n" +
		"Application:  com-example-echo\n" +
		"Version:      1.0.0\n" +
		"Profile:      <the first that fits each device>\n" +
		"Namespace:    margo\n" +
		"Parameters:   greeting=\"hello\",port=8080\n" +
		"Devices:      c1/d1, c2/*\n" +
		"Selector:     site=plant-1,tier in (a,b)\n" +
		"Status:       Active\n" +
		"Generation:   2\n" +
		"Created:      2025-06-01T10:00:00Z (2h ago)\n" +
		"Updated:      2025-06-01T11:30:00Z (30m ago)\n" +
		"Summary:      3 devices: 2 assigned, 1 ineligible; installed=1,pending=1\n"
	deployUsage := "usage: cadenza deploy " + deploySynopsis + " (cadenza deploy -h for more)\n"
	updateUsage := "usage: cadenza deployment update " + deploymentUpdateSynopsis + " (cadenza deployment update -h for more)\n"
	runCtlCases(t, []ctlCase{{
		name: "deploy with devices, a selector and values",
		args: []string{"deploy", "com-example-echo", "--version", "1.0.0", "--profile", "echo-helm", "--name", "echo-plant1", "--namespace", "margo",
			"--device", "c1/d1", "--device", "c2", "-l", "site=plant-1,tier in (a,b)", "-l", "!legacy", "-l", "zone!=z9",
			"--values", "@values.yaml", "--set", "greeting=hello", "--set", "port=8080", "--set-string", "zip=01234", "--set", "ratio=0.5",
			"--set", "debug=true", "--set", "tag='8080'", "--set", "list=[a, 2]", "--set", "dropped=null", "--set", "plain=01234"},
		files:  map[string]string{"values.yaml": "greeting: from-file\ndropped: 1\nlimits: [1, 2]\n"},
		routes: map[string]fakeReply{"POST /fleet/v1/deployments": {status: 201, body: rollEcho}},
		reqs: []string{`POST /fleet/v1/deployments application/json {"id":"echo-plant1","application":"com-example-echo","version":"1.0.0","profile":"echo-helm","namespace":"margo",` +
			`"parameters":{"debug":true,"greeting":"hello","limits":[1,2],"list":["a",2],"plain":"01234","port":8080,"ratio":0.5,"tag":"8080","zip":"01234"},` +
			`"target":{"devices":[{"clientId":"c1","deviceId":"d1"},{"clientId":"c2"}],"selector":{"matchLabels":{"site":"plant-1"},` +
			`"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]},{"key":"legacy","operator":"DoesNotExist"},{"key":"zone","operator":"NotIn","values":["z9"]}]}}}`},
		stdout: "deployment echo-plant1 created\n\n" + echoDescribe + "\nFollow it with: cadenza deployment show echo-plant1\n",
	}, {
		name:   "deploy to a selector only, as JSON",
		args:   []string{"deploy", "com-example-echo", "-l", "site", "-o", "json"},
		routes: map[string]fakeReply{"POST /fleet/v1/deployments": {status: 201, body: `{"id":"com-example-echo-x1y2z","summary":{}}`}},
		reqs:   []string{`POST /fleet/v1/deployments application/json {"application":"com-example-echo","target":{"selector":{"matchExpressions":[{"key":"site","operator":"Exists"}]}}}`},
		stdout: "{\n  \"id\": \"com-example-echo-x1y2z\",\n  \"summary\": {}\n}\n",
	}, {
		name: "deploy to devices by capability",
		args: []string{"deploy", "com-example-echo", "--capability", "/cpus/0/cores>4", "--capability", "/cpus/0/architecture=amd64,arm64",
			"--capability", "!/peripherals", "--capability", "/memory", "--capability", "/roles!=Gateway", "--capability", "/cpus/0/cores<64", "-o", "json"},
		routes: map[string]fakeReply{"POST /fleet/v1/deployments": {status: 201, body: `{"id":"x"}`}},
		reqs: []string{`POST /fleet/v1/deployments application/json {"application":"com-example-echo","target":{"capabilities":{"matchExpressions":[` +
			`{"key":"/cpus/0/cores","operator":"Gt","values":[4]},{"key":"/cpus/0/architecture","operator":"In","values":["amd64","arm64"]},` +
			`{"key":"/peripherals","operator":"DoesNotExist"},{"key":"/memory","operator":"Exists"},{"key":"/roles","operator":"NotIn","values":["Gateway"]},` +
			`{"key":"/cpus/0/cores","operator":"Lt","values":[64]}]}}}`},
		stdout: "{\n  \"id\": \"x\"\n}\n",
	}, {
		name: "deploy with a bad --capability", args: []string{"deploy", "a", "--capability", "cpus>4"}, code: 2,
		stderr: "cadenza deploy: --capability \"cpus>4\": the key is a JSON pointer into the capability properties, starting with / (like /cpus/0/cores>4)\n" + deployUsage,
	}, {
		name: "deploy refused with violations",
		args: []string{"deploy", "com-example-echo", "--device", "c1", "--set", "port=x"},
		routes: map[string]fakeReply{"POST /fleet/v1/deployments": problemReply(422, "Unprocessable Entity", "invalid deployment",
			"parameters.port: must be an integer", "target.devices[0]: client c1 is not approved")},
		reqs: []string{`POST /fleet/v1/deployments application/json {"application":"com-example-echo","parameters":{"port":"x"},"target":{"devices":[{"clientId":"c1"}]}}`},
		code: 1,
		stderr: "cadenza deploy: Unprocessable Entity (422): invalid deployment\n  parameters.port: must be an integer\n  target.devices[0]: client c1 is not approved\n" +
			"hint: see the application's versions, profiles and parameters with cadenza app show com-example-echo\n",
	}, {
		name: "deploy without a target", args: []string{"deploy", "com-example-echo"}, code: 2,
		stderr: "cadenza deploy: name the target devices with --device CLIENT[/DEVICE], or select them with -l k=v or --capability /POINTER>N\n" + deployUsage,
	}, {
		name: "deploy with a bad --set", args: []string{"deploy", "a", "--device", "c1", "--set", "novalue"}, code: 2,
		stderr: "cadenza deploy: --set \"novalue\": expected NAME=VALUE\n" + deployUsage,
	}, {
		name: "deploy with a bad selector", args: []string{"deploy", "a", "-l", "tier in a"}, code: 2,
		stderr: "cadenza deploy: -l \"tier in a\": \"tier in a\": expected tier in (a,b)\n" + deployUsage,
	}, {
		name: "deploy with a values file that is no mapping", args: []string{"deploy", "a", "--device", "c1", "--values", "@v.yaml"}, code: 2,
		files:  map[string]string{"v.yaml": "- a\n"},
		stderr: "cadenza deploy: --values $DIR/v.yaml: must be a mapping of parameter names to values, not a list\n" + deployUsage,
	}, {
		name: "list",
		args: []string{"deployment", "list", "--app", "com-example-echo", "--client", "c1"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments?application=com-example-echo&clientId=c1": okJSON(`{"items":[` + rollEcho + `,` + rollGone + `]}`),
		},
		reqs: []string{"GET /fleet/v1/deployments?application=com-example-echo&clientId=c1"},
		stdout: "" +
			"ID           APPLICATION       VERSION  PROFILE  TARGET                                   DEVICES  ASSIGNED  INELIGIBLE  STATUS    AGE\n" +
			"echo-plant1  com-example-echo  1.0.0    <none>   c1/d1,c2/* + site=plant-1,tier in (a,b)  3        2         1           Active    2h\n" +
			"old-1        com-example-old   0.1.0    <none>   3 devices                                0        0         0           Deleting  31d\n",
	}, {
		name: "show with placements",
		args: []string{"deployment", "show", "echo-plant1"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments/echo-plant1":         okJSON(rollEcho),
			"GET /fleet/v1/deployments/echo-plant1/devices": okJSON(placements),
		},
		reqs: []string{"GET /fleet/v1/deployments/echo-plant1", "GET /fleet/v1/deployments/echo-plant1/devices"},
		stdout: echoDescribe + "\n" +
			"CLIENT  DEVICE  ELIGIBLE  PROFILE       STATE      DEPLOYMENT  REASON\n" +
			"c1      d1      yes       echo-helm     installed  8c4e-1      <none>\n" +
			"c2      x/y     yes       echo-compose  pending    8c4e-2      <none>\n" +
			"c3      z       no        <none>        <none>     <none>      no profile fits: cpu 1 < 2\n",
	}, {
		name: "show as JSON",
		args: []string{"deployment", "show", "old-1", "-o", "json"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments/old-1":         okJSON(`{"id":"old-1"}`),
			"GET /fleet/v1/deployments/old-1/devices": okJSON(`{"items":[]}`),
		},
		reqs:   []string{"GET /fleet/v1/deployments/old-1", "GET /fleet/v1/deployments/old-1/devices"},
		stdout: "{\n  \"deployment\": {\n    \"id\": \"old-1\"\n  },\n  \"devices\": []\n}\n",
	}, {
		name: "show a deployment being deleted",
		args: []string{"deployment", "show", "old-1"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments/old-1":         okJSON(rollGone),
			"GET /fleet/v1/deployments/old-1/devices": okJSON(`{"items":[]}`),
		},
		reqs: []string{"GET /fleet/v1/deployments/old-1", "GET /fleet/v1/deployments/old-1/devices"},
		stdout: "" +
			"ID:           old-1\n" +
			"Application:  com-example-old\n" +
			"Version:      0.1.0\n" +
			"Profile:      <the first that fits each device>\n" +
			"Namespace:    margo\n" +
			"Parameters:   <none>\n" +
			"Devices:      a/*, b/*, c/*\n" +
			"Selector:     <none>\n" +
			"Status:       Deleting (its devices uninstall it)\n" +
			"Generation:   1\n" +
			"Created:      2025-05-01T12:00:00Z (31d ago)\n" +
			"Updated:      2025-05-01T12:00:00Z (31d ago)\n" +
			"Summary:      0 devices: 0 assigned, 0 ineligible\n" +
			"\n" +
			"No target devices.\n",
	}, {
		name:   "show an unknown deployment",
		args:   []string{"deployment", "show", "nope"},
		routes: map[string]fakeReply{"GET /fleet/v1/deployments/nope": problemReply(404, "Not Found", `deployment "nope" not found`)},
		reqs:   []string{"GET /fleet/v1/deployments/nope"},
		code:   1,
		stderr: "cadenza deployment show: Not Found (404): deployment \"nope\" not found\nhint: no deployment nope: list them with `cadenza deployment list`\n",
	}, {
		name: "update merges --set into the current parameters",
		args: []string{"deployment", "update", "echo-plant1", "--version", "1.1.0", "--set", "greeting=hi", "--set", "port=null", "--set-string", "level=3"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments/echo-plant1":   okJSON(rollEcho),
			"PATCH /fleet/v1/deployments/echo-plant1": okJSON(rollEcho),
		},
		reqs: []string{"GET /fleet/v1/deployments/echo-plant1",
			`PATCH /fleet/v1/deployments/echo-plant1 If-Match:"2" application/json {"version":"1.1.0","parameters":{"greeting":"hi","level":"3"}}`},
		stdout: "deployment echo-plant1 updated\n\n" + echoDescribe,
	}, {
		name:   "update the version and target only",
		args:   []string{"deployments", "update", "echo-plant1", "--version", "1.1.0", "--device", "c3/d", "-o", "yaml"},
		routes: map[string]fakeReply{"PATCH /fleet/v1/deployments/echo-plant1": okJSON(`{"id":"echo-plant1","version":"1.1.0"}`)},
		reqs:   []string{`PATCH /fleet/v1/deployments/echo-plant1 application/json {"version":"1.1.0","target":{"devices":[{"clientId":"c3","deviceId":"d"}]}}`},
		stdout: "id: echo-plant1\nversion: 1.1.0\n",
	}, {
		name: "update removing every value",
		args: []string{"deployment", "update", "x", "--set", "a=~", "-o", "json"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments/x":   okJSON(`{"id":"x","parameters":{"a":1}}`),
			"PATCH /fleet/v1/deployments/x": okJSON(`{"id":"x"}`),
		},
		reqs:   []string{"GET /fleet/v1/deployments/x", `PATCH /fleet/v1/deployments/x application/json {"parameters":{}}`},
		stdout: "{\n  \"id\": \"x\"\n}\n",
	}, {
		name: "update nothing", args: []string{"deployment", "update", "x"}, code: 2,
		stderr: "cadenza deployment update: nothing to change: give --version, --profile, --set, --values, --device or -l\n" + updateUsage,
	}, {
		name: "history of one device",
		args: []string{"deployment", "history", "echo-plant1", "c1"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments/echo-plant1/devices": okJSON(placements),
			"GET /fleet/v1/clients/c1/deployments/8c4e-1/status": okJSON(`{"items":[` +
				`{"received":"2025-06-01T11:59:00Z","state":"installed","report":{"status":{"state":"installed"},"components":[{"name":"echo","state":"installed"}]}},` +
				`{"received":"2025-06-01T11:58:00Z","state":"failed","report":{"status":{"state":"failed","error":{"code":"APPLY_FAILED","message":"image pull"}},"components":[{"name":"echo","state":"failed"}]}}]}`),
		},
		reqs: []string{"GET /fleet/v1/deployments/echo-plant1/devices", "GET /fleet/v1/clients/c1/deployments/8c4e-1/status"},
		stdout: "" +
			"RECEIVED                        STATE      COMPONENTS      ERROR\n" +
			"2025-06-01T11:59:00Z (60s ago)  installed  echo=installed  <none>\n" +
			"2025-06-01T11:58:00Z (2m ago)   failed     echo=failed     APPLY_FAILED: image pull\n",
	}, {
		name: "history of a device left out", args: []string{"deployment", "history", "echo-plant1", "c3/z"}, code: 1,
		routes: map[string]fakeReply{"GET /fleet/v1/deployments/echo-plant1/devices": okJSON(placements)},
		reqs:   []string{"GET /fleet/v1/deployments/echo-plant1/devices"},
		stderr: "cadenza deployment history: device c3/z has no copy of deployment echo-plant1: no profile fits: cpu 1 < 2\n",
	}, {
		name:   "delete",
		args:   []string{"deployment", "delete", "echo-plant1"},
		routes: map[string]fakeReply{"DELETE /fleet/v1/deployments/echo-plant1": {status: 202}},
		reqs:   []string{"DELETE /fleet/v1/deployments/echo-plant1"},
		stdout: "deployment echo-plant1 is being deleted: its devices uninstall it (follow with cadenza deployment show echo-plant1)\n",
	}, {
		name:   "delete once the devices removed it",
		args:   []string{"deployment", "delete", "old-1"},
		routes: map[string]fakeReply{"DELETE /fleet/v1/deployments/old-1": {status: 204}},
		reqs:   []string{"DELETE /fleet/v1/deployments/old-1"},
		stdout: "deployment old-1 deleted\n",
	}, {
		name:   "delete and forget",
		args:   []string{"deployment", "rm", "--forget", "echo-plant1"},
		routes: map[string]fakeReply{"DELETE /fleet/v1/deployments/echo-plant1?forget=true": {status: 204}},
		reqs:   []string{"DELETE /fleet/v1/deployments/echo-plant1?forget=true"},
		stdout: "deployment echo-plant1 forgotten\n",
	}, {
		name:   "eligibility of the latest version",
		args:   []string{"eligibility", "alpha", "--device", "c1/d1"},
		routes: map[string]fakeReply{"GET /fleet/v1/eligibility?application=alpha&clientId=c1&deviceId=d1": okJSON(eligibleAnswer)},
		reqs:   []string{"GET /fleet/v1/eligibility?application=alpha&clientId=c1&deviceId=d1"},
		stdout: "" +
			"Application:  alpha 1.1.0\n" +
			"Device:       c1/d1\n" +
			"Eligible:     1 of 2 profiles\n" +
			"\n" +
			"PROFILE        TYPE     ELIGIBLE  CHECK         OK   MESSAGE\n" +
			"alpha-helm     helm     no        cpu           yes  4 cores >= 1.5\n" +
			"                                  architecture  no   riscv64 is not amd64 or arm64\n" +
			"alpha-compose  compose  yes\n",
	}, {
		name: "eligibility of a client's only device, one version and profile",
		args: []string{"eligibility", "alpha", "--device", "c1", "--version", "1.0.0", "--profile", "alpha-helm", "-o", "json"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/devices?clientId=c1": okJSON(`{"items":[` + devChild + `]}`),
			"GET /fleet/v1/eligibility?application=alpha&clientId=c1&deviceId=gw%2Fchild&profile=alpha-helm&version=1.0.0": okJSON(`{"profiles":[]}`),
		},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c1", "GET /fleet/v1/eligibility?application=alpha&clientId=c1&deviceId=gw%2Fchild&profile=alpha-helm&version=1.0.0"},
		stdout: "{\n  \"profiles\": []\n}\n",
	}, {
		name: "eligibility without a device", args: []string{"eligibility", "alpha"}, code: 2,
		stderr: "cadenza eligibility: --device CLIENT[/DEVICE] is required\nusage: cadenza eligibility " + eligibilitySynopsis + " (cadenza eligibility -h for more)\n",
	}})
}

func TestCtlProblemsAndHints(t *testing.T) {
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
		stderr: "cadenza registry show: the answer of /registries/x is not the JSON expected: json: cannot unmarshal array into Go value of type catalog.Registry\n",
	}, {
		name: "an unknown output format", args: []string{"app", "list", "-o", "xml"}, code: 2,
		stderr: "cadenza app list: -o \"xml\": the output format is table, json or yaml\nusage: cadenza app list (cadenza app list -h for more)\n",
	}})
}

func TestCtlGlobalFlagsAndEnvironment(t *testing.T) {
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
		c := newTestCtl(nil, &out, &errb)
		c.fileExists = func(p string) bool { return exists && p == ctlDefaultCACert }
		c.cmd = "app list"
		_, code := c.parse(c.flags(), nil, 0, 0, "", "")
		switch {
		case !exists && (code != -1 || c.server != ctlDefaultServer || c.token != ctlDefaultToken || c.cacert != ""):
			t.Errorf("defaults: exit %d, server %q token %q cacert %q (%s)", code, c.server, c.token, c.cacert, errb.String())
		case exists && (code != 2 || c.cacert != ctlDefaultCACert || !strings.HasPrefix(errb.String(), "cadenza app list: the CA file of var/wfm/ca.pem: open var/wfm/ca.pem: ")):
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
		{[]string{"--cacert", "ctl_test.go"}, "cadenza app list: ctl_test.go (--cacert) holds no PEM certificate\n"},
	} {
		code, out, errOut := runCtl(nil, nil, append([]string{"app", "list"}, tc.args...)...)
		if code != 2 || out != "" || errOut != tc.want {
			t.Errorf("%v: exit %d, stderr %q; want 2, %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestCtlTransportErrors(t *testing.T) {
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

func TestCtlInterruptedBySignal(t *testing.T) {
	entered := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	sigs := make(chan os.Signal, 1)
	var out, errb bytes.Buffer
	c := newTestCtl(nil, &out, &errb)
	c.signals = sigs
	done := make(chan int, 1)
	go func() { done <- c.run([]string{"app", "list", "--server", srv.URL + "/fleet/v1"}) }()
	<-entered
	sigs <- syscall.SIGINT
	if code := <-done; code != 1 || errb.String() != "cadenza app list: interrupted\n" {
		t.Fatalf("exit %d: %q", code, errb.String())
	}
}

func TestCtlFlagsAnywhereAndDoubleDash(t *testing.T) {
	api := newFakeAPI(t, map[string]fakeReply{"PATCH /fleet/v1/clients/c1/devices/d1": okJSON(devChild)})
	var out, errb bytes.Buffer
	code := newTestCtl(nil, &out, &errb).run([]string{"device", "label", "--server", api.url, "c1/d1", "--cacert", api.caFile, "-o", "json", "a=1", "--token", "tok", "--", "-x=y", "--b-"})
	got, _ := api.requests()
	want := []string{`PATCH /fleet/v1/clients/c1/devices/d1 application/merge-patch+json {"labels":{"--b":null,"-x":"y","a":"1"}}`}
	if code != 0 || !reflect.DeepEqual(got, want) || !strings.HasPrefix(out.String(), "{\n  \"clientId\": \"c1\",") {
		t.Fatalf("exit %d %s\nrequests %v\nstdout %s", code, errb.String(), got, out.String())
	}
}

func TestCtlHelpAndDispatchFromMain(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		code       int
		out, errIn string // prefixes of stdout and stderr
	}{
		{[]string{"help"}, 0, "usage: cadenza <command>", ""},
		{[]string{"registry"}, 2, "", "usage: cadenza registry <command> [flags]\n\ncommands:\n  registry add NAME --url URL [flags]"},
		{[]string{"apps", "--help"}, 0, "usage: cadenza app <command> [flags]", ""},
		{[]string{"device", "bogus"}, 2, "", "cadenza device: unknown command \"bogus\"\nusage: cadenza device <command>"},
		{[]string{"deploy", "-h"}, 0, "usage: cadenza deploy APP [--version V]", ""},
		{[]string{"deployment", "update", "--help"}, 0, "usage: cadenza deployment update ID", ""},
		{[]string{"registry", "add", "-h"}, 0, "usage: cadenza registry add NAME --url URL", ""},
		{[]string{"eligibility", "-h"}, 0, "usage: cadenza eligibility APP --device", ""},
	} {
		var out, errb bytes.Buffer
		code := Main(tc.args, &out, &errb, nil)
		if code != tc.code || !strings.HasPrefix(out.String(), tc.out) || !strings.HasPrefix(errb.String(), tc.errIn) {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q", tc.args, code, out.String(), errb.String())
		}
	}
	var out bytes.Buffer
	Main([]string{"help"}, &out, io.Discard, nil)
	for _, cmd := range []string{"registry", "app", "device", "deploy", "deployment", "eligibility"} {
		if !strings.Contains(out.String(), "\n  "+cmd+" ") {
			t.Errorf("the usage lacks %s:\n%s", cmd, out.String())
		}
	}
	out.Reset()
	Main([]string{"deployment", "show", "-h"}, &out, io.Discard, nil)
	if !strings.Contains(out.String(), "\nglobal flags (every operator command):\n  --server URL") {
		t.Errorf("the help lacks the global flags:\n%s", out.String())
	}

	api := newFakeAPI(t, map[string]fakeReply{"GET /fleet/v1/applications": okJSON(`{"items":[` + appBeta + `]}`)})
	var errb bytes.Buffer
	out.Reset()
	if code := Main([]string{"app", "list", "--server", api.url, "--cacert", api.caFile, "--token", "tok", "-o", "yaml"}, &out, &errb, nil); code != 0 ||
		out.String() != "items:\n- id: beta\n  latest: 2.0.0\n  name: App beta\n  versions:\n  - registry: local\n    version: 2.0.0\n" {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
}

func TestCtlParseScalar(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want any
	}{
		{"hello", "hello"}, {"", ""}, {"8080", int64(8080)}, {"-3", int64(-3)}, {"+7", int64(7)}, {"0", int64(0)},
		{"01234", "01234"}, {"0x1F", int64(31)}, {"0.5", 0.5}, {"1e3", 1000.0}, {".5", 0.5}, {"1.10", 1.1},
		{"true", true}, {"False", false}, {"yes", "yes"}, {"on", "on"}, {"null", nil}, {"~", nil},
		{`"8080"`, "8080"}, {`'true'`, "true"}, {`"a\tb"`, "a\tb"}, {`'it''s'`, "it's"},
		{"[a, 2, true]", []any{"a", float64(2), true}}, {"[unclosed", "[unclosed"}, {"{a: 1}", "{a: 1}"},
		{"99999999999999999999", "99999999999999999999"}, {"1.2.3", "1.2.3"}, {"a=b", "a=b"}, {".inf", ".inf"},
	} {
		if got := parseScalar(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseScalar(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

func TestCtlParseSelector(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []selectorReq
		err  string
	}{
		{in: "a=b", want: []selectorReq{{key: "a", op: "=", values: []string{"b"}}}},
		{in: "a==b, c", want: []selectorReq{{key: "a", op: "=", values: []string{"b"}}, {key: "c", op: "exists"}}},
		{in: "a!=b,!c", want: []selectorReq{{key: "a", op: "!=", values: []string{"b"}}, {key: "c", op: "!exists"}}},
		{in: "tier in (a, b),zone notin (z)", want: []selectorReq{{key: "tier", op: "in", values: []string{"a", "b"}}, {key: "zone", op: "notin", values: []string{"z"}}}},
		{in: "a=", want: []selectorReq{{key: "a", op: "=", values: []string{""}}}},
		{in: "=b", err: `"=b": the label key is empty`},
		{in: "a,,b", err: "empty requirement"},
		{in: "tier in ()", err: `"tier in ()": no values in the parentheses`},
		{in: "a b c", err: `"a b c": expected k=v, k!=v, k, !k, k in (a,b) or k notin (a,b)`},
	} {
		got, err := parseSelector(tc.in)
		if (err == nil) != (tc.err == "") || (err != nil && err.Error() != tc.err) || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseSelector(%q) = %+v, %v; want %+v, %s", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// ctlPackage is a Margo application package description.
const ctlPackage = `apiVersion: v1
id: hello
metadata:
  name: Hello
  version: "1.0.0"
  catalog:
    application: {tagline: Greets}
    organization: [{name: O}]
deploymentProfiles:
  - {type: compose, id: hello-compose, components: [{name: web, properties: {repository: oci://registry.example/compose/web, revision: 1.0.0}}]}
parameters:
  greeting:
    value: hello
    targets: [{pointer: greeting, components: [web]}]
configuration:
  sections:
    - name: General
      settings:
        - {parameter: greeting, name: Greeting, schema: text}
  schema:
    - {name: text, dataType: string, maxLength: 45}
`

// tableRow returns the whitespace-separated cells of the first line of a
// table whose first cell is first (nil when none).
func tableRow(out, first string) []string {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == first {
			return f
		}
	}
	return nil
}

// TestCtlAgainstARealWFM runs every operator command against a real WFM
// (operatorWFMDoc: a catalog and a rollout manager).
func TestCtlAgainstARealWFM(t *testing.T) {
	dir := t.TempDir()
	w := startWFMWith(t, dir, operatorWFMDoc(dir))
	ca := filepath.Join(dir, "ca.pem")
	writeCA(t, w, ca)
	repo := testserver.NewGitRepo(t, t.TempDir(), "apps.git")
	repo.Commit("hello 1.0.0", map[string]string{"apps/hello/margo.yaml": ctlPackage, "apps/broken/margo.yaml": "apiVersion: v1\nid: Broken!\n"})
	env := map[string]string{"CADENZA_SERVER": "https://" + w.addr + "/fleet/v1", "CADENZA_TOKEN": operatorToken, "CADENZA_CACERT": ca}
	run := func(t *testing.T, wantCode int, args ...string) (string, string) {
		t.Helper()
		code, out, errOut := runCtl(nil, env, args...)
		if code != wantCode {
			t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, wantCode, out, errOut)
		}
		return out, errOut
	}

	out, _ := run(t, 0, "registry", "add", "apps", "--url", repo.URL(), "--path", "apps")
	if out != "registry apps added; fetch it now with: cadenza registry sync apps\n" {
		t.Fatalf("registry add: %q", out)
	}
	out, _ = run(t, 0, "registry", "list")
	if row := tableRow(out, "apps"); !reflect.DeepEqual(row, []string{"apps", repo.URL(), "<none>", "apps", "Pending", "<none>", "0", "0", "<none>"}) {
		t.Fatalf("registry list before a sync:\n%s", out)
	}
	_, errOut := run(t, 1, "registry", "add", "apps", "--url", repo.URL())
	if !strings.HasPrefix(errOut, "cadenza registry add: Conflict (409): ") || !strings.Contains(errOut, "\nhint: pick another name") {
		t.Fatalf("registry add twice: %s", errOut)
	}

	out, _ = run(t, 0, "registry", "sync", "apps")
	if row := tableRow(out, "hello"); !reflect.DeepEqual(row, []string{"hello", "hello", "1.0.0", "ok"}) ||
		!strings.Contains(out, "Status:     Synced\n") || !reflect.DeepEqual(tableRow(out, "broken"), []string{"broken", "<none>", "<none>", "Invalid(3)"}) ||
		!strings.HasSuffix(out, "\n\napps/broken/margo.yaml: deploymentProfiles: is required\n"+
			"apps/broken/margo.yaml: id: must match ^[-a-z0-9]{1,200}$ (lowercase letters, digits and '-', at most 200)\n"+
			"apps/broken/margo.yaml: metadata: is required\n") {
		t.Fatalf("registry sync:\n%s", out)
	}
	out, _ = run(t, 0, "app", "list")
	if row := tableRow(out, "hello"); !reflect.DeepEqual(row, []string{"hello", "Hello", "1.0.0", "1.0.0", "Greets"}) {
		t.Fatalf("app list:\n%s", out)
	}
	out, _ = run(t, 0, "app", "show", "hello")
	if !reflect.DeepEqual(tableRow(out, "hello-compose"), []string{"hello-compose", "compose", "web", "<none>"}) ||
		!reflect.DeepEqual(tableRow(out, "greeting"), []string{"greeting", `"hello"`, "greeting", "(web)"}) {
		t.Fatalf("app show:\n%s", out)
	}
	out, _ = run(t, 0, "app", "show", "hello", "--version", "1.0.0", "-o", "json")
	var shown struct {
		Application struct{ ID string }
		Version     struct{ Version, Registry string }
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil || shown.Application.ID != "hello" || shown.Version.Version != "1.0.0" || shown.Version.Registry != "apps" {
		t.Fatalf("app show -o json: %v\n%s", err, out)
	}
	_, errOut = run(t, 1, "app", "show", "hello", "--version", "9.9.9")
	if !strings.HasPrefix(errOut, "cadenza app show: Not Found (404): ") || !strings.HasSuffix(errOut, "\nhint: application hello has the versions 1.0.0\n") {
		t.Fatalf("app show of an unknown version: %s", errOut)
	}

	// A device reports its capabilities; the operator finds it.
	d := onboarded(t, w)
	if err := d.ReportCapabilities(t.Context(), http.MethodPost, "edge-1", capabilities("edge-1")); err != nil {
		t.Fatal(err)
	}
	out, _ = run(t, 0, "device", "list")
	if row := tableRow(out, d.ClientID()); len(row) != 5 || row[1] != "edge-1" || row[2] != "<none>" {
		t.Fatalf("device list:\n%s", out)
	}
	out, _ = run(t, 0, "device", "list", "--client", d.ClientID(), "-o", "json")
	var listed struct{ Items []apiDevice }
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed.Items) != 1 || listed.Items[0].DeviceID != "edge-1" {
		t.Fatalf("device list -o json: %v\n%s", err, out)
	}
	for _, ref := range []string{d.ClientID(), d.ClientID() + "/edge-1"} {
		out, _ = run(t, 0, "device", "show", ref)
		if !strings.HasPrefix(out, "Client:    "+d.ClientID()+"\nDevice:    edge-1\nModel:     Northstar N1\nSerial:    S1\n") ||
			!strings.Contains(out, "\nLabels: <none>\n\nCapabilities:\n  apiVersion: device.margo.org/v1alpha1\n") {
			t.Fatalf("device show %s:\n%s", ref, out)
		}
	}
	_, errOut = run(t, 1, "device", "show", d.ClientID()+"/edge-2")
	if !strings.HasPrefix(errOut, "cadenza device show: Not Found (404): ") || !strings.Contains(errOut, "hint: list the devices of client "+d.ClientID()) {
		t.Fatalf("device show of an unknown device: %s", errOut)
	}

	// Labels, eligibility, and a deployment by label: created, listed,
	// shown, updated, deleted.
	dev := d.ClientID() + "/edge-1"
	out, _ = run(t, 0, "device", "label", dev, "site=plant-1")
	if out != "device "+dev+" labeled\nLABEL  VALUE    SOURCE\nsite   plant-1  operator\n" {
		t.Fatalf("device label:\n%s", out)
	}
	out, _ = run(t, 0, "device", "list", "-l", "site=plant-1")
	if row := tableRow(out, d.ClientID()); len(row) != 5 || row[2] != "site=plant-1" {
		t.Fatalf("device list -l site=plant-1:\n%s", out)
	}
	if out, errOut = run(t, 0, "device", "list", "-l", "site=plant-2"); out != "" || errOut != "No devices found.\n" {
		t.Fatalf("device list -l site=plant-2: %q %q", out, errOut)
	}
	out, _ = run(t, 0, "eligibility", "hello", "--device", d.ClientID())
	if !strings.HasPrefix(out, "Application:  hello 1.0.0\nDevice:       "+dev+"\nEligible:     1 of 1 profiles\n") {
		t.Fatalf("eligibility:\n%s", out)
	}
	_, errOut = run(t, 1, "deploy", "hello", "-l", "site=plant-1", "--set", "greeting=[1, {}]", "--set", "bogus=1")
	if !strings.HasPrefix(errOut, "cadenza deploy: Unprocessable Entity (422): ") || !strings.Contains(errOut, "\n  parameters.bogus: ") ||
		!strings.Contains(errOut, "\n  parameters.greeting: ") || !strings.HasSuffix(errOut, "\nhint: see the application's versions, profiles and parameters with cadenza app show hello\n") {
		t.Fatalf("deploy with bad values: %s", errOut)
	}
	out, _ = run(t, 0, "deploy", "hello", "--name", "hello-plant1", "-l", "site=plant-1", "--set", "greeting=hi")
	if !strings.HasPrefix(out, "deployment hello-plant1 created\n\nID:           hello-plant1\nApplication:  hello\nVersion:      1.0.0\n") ||
		!strings.Contains(out, "\nParameters:   greeting=\"hi\"\n") || !strings.Contains(out, "\nSelector:     site=plant-1\n") ||
		!strings.Contains(out, "\nSummary:      1 device: 1 assigned, 0 ineligible; pending=1\n") {
		t.Fatalf("deploy:\n%s", out)
	}
	out, _ = run(t, 0, "deployment", "list", "--app", "hello")
	if row := tableRow(out, "hello-plant1"); !reflect.DeepEqual(row[:9], []string{"hello-plant1", "hello", "1.0.0", "<none>", "site=plant-1", "1", "1", "0", "Active"}) {
		t.Fatalf("deployment list:\n%s", out)
	}
	out, _ = run(t, 0, "deployment", "show", "hello-plant1")
	if row := tableRow(out, d.ClientID()); len(row) != 7 || row[1] != "edge-1" || row[2] != "yes" || row[3] != "hello-compose" || row[4] != "pending" || row[6] != "<none>" {
		t.Fatalf("deployment show:\n%s", out)
	}
	if out, errOut = run(t, 0, "deployment", "history", "hello-plant1", d.ClientID()); out != "" || !strings.HasPrefix(errOut, "No status reports found.\n") {
		t.Fatalf("deployment history before any report: %q %q", out, errOut)
	}
	var showJSON struct {
		Devices []placement `json:"devices"`
	}
	out, _ = run(t, 0, "deployment", "show", "hello-plant1", "-o", "json")
	if err := json.Unmarshal([]byte(out), &showJSON); err != nil || len(showJSON.Devices) != 1 {
		t.Fatalf("deployment show -o json: %v\n%s", err, out)
	}
	depID := showJSON.Devices[0].DeploymentID
	if err := d.ReportStatus(t.Context(), depID, status(depID, "installed", "web")); err != nil {
		t.Fatal(err)
	}
	out, _ = run(t, 0, "deployment", "history", "hello-plant1", dev)
	if !strings.HasPrefix(out, "RECEIVED ") || !strings.Contains(out, "  installed  web=installed  <none>\n") {
		t.Fatalf("deployment history:\n%s", out)
	}
	out, _ = run(t, 0, "deployment", "update", "hello-plant1", "--set", "greeting=hey", "-o", "json")
	var updated rollout
	if err := json.Unmarshal([]byte(out), &updated); err != nil || updated.Generation != 2 || !reflect.DeepEqual(updated.Parameters, map[string]any{"greeting": "hey"}) {
		t.Fatalf("deployment update: %v\n%s", err, out)
	}
	out, _ = run(t, 0, "deployment", "delete", "hello-plant1")
	if out != "deployment hello-plant1 is being deleted: its devices uninstall it (follow with cadenza deployment show hello-plant1)\n" {
		t.Fatalf("deployment delete: %q", out)
	}
	if out, _ = run(t, 0, "deployment", "delete", "hello-plant1", "--forget"); out != "deployment hello-plant1 forgotten\n" {
		t.Fatalf("deployment delete --forget: %q", out)
	}
	if out, errOut = run(t, 0, "deployment", "list"); out != "" || !strings.HasPrefix(errOut, "No deployments found.\n") {
		t.Fatalf("deployment list after delete: %q %q", out, errOut)
	}

	_, errOut = run(t, 1, "app", "list", "--token", "wrong")
	if errOut != "cadenza app list: Unauthorized (401): the bearer token is not valid\n"+
		"hint: pass a token the WFM accepts with --token or set CADENZA_TOKEN (samples/wfm.json accepts $CADENZA_TOKEN of the WFM, else sandbox-token)\n" {
		t.Fatalf("a wrong token: %s", errOut)
	}

	out, _ = run(t, 0, "registry", "remove", "apps")
	if out != "registry apps removed\n" {
		t.Fatalf("registry remove: %q", out)
	}
	if out, errOut = run(t, 0, "app", "list"); out != "" || !strings.HasPrefix(errOut, "No applications found.\n") {
		t.Fatalf("app list after the registry is removed: %q %q", out, errOut)
	}
	_, errOut = run(t, 1, "registry", "sync", "apps")
	if !strings.HasPrefix(errOut, "cadenza registry sync: Not Found (404): ") || !strings.HasSuffix(errOut, "\nhint: no registry apps: list them with `cadenza registry list`\n") {
		t.Fatalf("sync of a removed registry: %s", errOut)
	}
}
