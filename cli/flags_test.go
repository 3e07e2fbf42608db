package cli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The flag conventions every command follows, checked on `cadenza call`
// and on an operator command (`app show`): GNU-style --flags, a single dash
// for long names too, flags after the positional arguments, "--" ending the
// flags, --help and -h printing the usage to stdout with exit 0, and a
// usage error naming the problem first, then the usage line, exit 2.
func TestFlagConventions(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"method":"` + r.Method + `","auth":"` + r.Header.Get("Authorization") + `"}`))
	}))
	t.Cleanup(srv.Close)
	api := newFakeAPI(t, map[string]fakeReply{
		"GET /fleet/v1/applications/alpha":                 okJSON(appAlpha),
		"GET /fleet/v1/applications/alpha/versions/1.0.0":  okJSON(`{"id":"alpha","version":"1.0.0"}`),
		"GET /fleet/v1/applications/-alpha":                okJSON(appAlpha),
		"GET /fleet/v1/applications/-alpha/versions/1.1.0": okJSON(`{"id":"alpha","version":"1.1.0"}`),
	})
	conn := []string{"--server", api.url, "--cacert", api.caFile, "--token", "tok"}
	callUsage := "usage: cadenza call [flags] METHOD TARGET (cadenza call -h for more)\n"
	showUsage := "usage: cadenza app show ID [--version V] (cadenza app show -h for more)\n"
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // prefix
		stderr string // exact
	}{
		{name: "call: --flag after the positional arguments", args: []string{"call", "get", srv.URL, "--token", "t1", "--include"},
			stdout: "200 OK\n"},
		{name: "call: --flag=value and a shorthand", args: []string{"call", "--token=t2", "-i", "post", srv.URL},
			stdout: "200 OK\n"},
		{name: "call: a single dash for a long flag", args: []string{"call", "-token", "t3", "GET", srv.URL, "-timeout", "5s"},
			stdout: `{"method":"GET","auth":"Bearer t3"}` + "\n"},
		{name: "call: --help", args: []string{"call", "GET", "--help"}, stdout: "usage: cadenza call [flags] METHOD TARGET\n\nCalls one endpoint"},
		{name: "call: -h", args: []string{"call", "-h"}, stdout: "usage: cadenza call [flags] METHOD TARGET\n"},
		{name: "call: a missing argument", args: []string{"call", "GET"}, code: 2,
			stderr: "cadenza call: missing arguments\n" + callUsage},
		{name: "call: an unknown flag", args: []string{"call", "GET", srv.URL, "--bogus"}, code: 2,
			stderr: "cadenza call: unknown flag: --bogus\n" + callUsage},
		{name: "call: a flag without its value", args: []string{"call", "GET", srv.URL, "--timeout"}, code: 2,
			stderr: "cadenza call: flag needs an argument: --timeout\n" + callUsage},
		{name: "call: a bad value", args: []string{"call", "GET", srv.URL, "--timeout", "soon"}, code: 2,
			stderr: "cadenza call: invalid argument \"soon\" for \"--timeout\" flag: time: invalid duration \"soon\"\n" + callUsage},
		{name: "app show: flags after the argument, --flag and -o", args: append([]string{"app", "show", "alpha", "--version", "1.0.0", "-o", "json"}, conn...),
			stdout: "{\n  \"application\": {\n    \"id\": \"alpha\""},
		{name: "app show: single-dash long flags", args: []string{"app", "show", "-server", api.url, "-cacert", api.caFile, "-token=tok", "alpha", "-version", "1.0.0", "-output", "yaml"},
			stdout: "application:\n  id: alpha\n"},
		{name: "app show: -- ends the flags", args: append(append([]string{"app", "show", "-o", "json"}, conn...), "--", "-alpha"),
			stdout: "{\n  \"application\": {\n    \"id\": \"alpha\""},
		{name: "app show: --help", args: []string{"app", "show", "alpha", "--help"}, stdout: "usage: cadenza app show ID [--version V]\n\nShows an application"},
		{name: "app show: -h", args: []string{"app", "show", "-h"}, stdout: "usage: cadenza app show ID [--version V]\n"},
		{name: "app show: a missing argument", args: append([]string{"app", "show"}, conn...), code: 2,
			stderr: "cadenza app show: missing arguments\n" + showUsage},
		{name: "app show: an unknown flag", args: []string{"app", "show", "alpha", "--versoin", "1"}, code: 2,
			stderr: "cadenza app show: unknown flag: --versoin\n" + showUsage},
		{name: "app show: an unknown shorthand", args: []string{"app", "show", "alpha", "-x"}, code: 2,
			stderr: "cadenza app show: unknown shorthand flag: 'x' in -x\n" + showUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Run(tc.args, Env{Stdout: &out, Stderr: &errb})
			if code != tc.code || !strings.HasPrefix(out.String(), tc.stdout) || (tc.code == 0 && tc.stdout == "") || errb.String() != tc.stderr {
				t.Fatalf("exit %d, want %d\nstdout %q, want a prefix %q\nstderr %q, want %q", code, tc.code, out.String(), tc.stdout, errb.String(), tc.stderr)
			}
		})
	}
}
