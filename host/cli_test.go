package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/module"
)

// syncBuffer is a goroutine-safe buffer for the CLI's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func writeConfig(t *testing.T, doc string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "host.json")
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func hostDoc(dbPath, listen string) string {
	return fmt.Sprintf(`{"name":"t","providers":{"store":{"type":"state.bolt","config":{"path":%q}}},
 "vendors":[{"type":"vendors.hello","managers":[{"type":"managers.greeter","uses":{"state":"store"}}]}],
 "bindings":[{"type":"bindings.http","config":{"listen":%q}}]}`, dbPath, listen)
}

func TestCheckAcceptsTheSamples(t *testing.T) {
	for _, f := range []string{"../samples/hello.json", "../samples/wfm.json", "../samples/wfm-mqtt.json", "../samples/agent.json", "../samples/agent-rc3.json"} {
		var out, errb bytes.Buffer
		if code := Main([]string{"check", "--config", f}, &out, &errb, nil); code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errb.String())
		}
		if !strings.Contains(out.String(), "ok") || !strings.Contains(out.String(), "binding") {
			t.Fatalf("check output: %s", out.String())
		}
	}
}

func TestConfigErrorsExitTwoWithOneLineEach(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"malformed JSON", `{"name": "t",`, "host.json:1:14: malformed JSON"},
		{"unknown module type", `{"name":"t","providers":{"s":{"type":"state.etcd"}}}`, `providers.s.type: unknown module type "state.etcd"; known state types: state.bolt, state.memory`},
		{"dangling uses", strings.Replace(hostDoc("x.db", "127.0.0.1:0"), `"state":"store"`, `"state":"nope"`, 1), `vendors[0].managers[0].uses.state: no provider named "nope"`},
		{"bad logging", `{"name":"t","logging":{"level":"loud"}}`, `logging.level: "loud" is not a level`},
		{"bad telemetry", `{"name":"t","telemetry":{"otlp":{"endpoint":"nope"}}}`, `telemetry.otlp.endpoint: must be an http(s) URL`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := writeConfig(t, tc.doc)
			var out, errb bytes.Buffer
			code := Main([]string{"check", "--config", f}, &out, &errb, nil)
			if code != 2 || !strings.Contains(errb.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 and %q", code, errb.String(), tc.want)
			}
			for _, line := range strings.Split(strings.TrimSpace(errb.String()), "\n") {
				if !strings.HasPrefix(line, "config error: "+f) {
					t.Fatalf("line %q does not name the file", line)
				}
			}
		})
	}
}

func TestRunFailuresExitOneAndLeaveNothingRunning(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	_ = os.WriteFile(blocker, nil, 0o600)
	cases := []struct{ name, doc, want string }{
		{"port in use", hostDoc(filepath.Join(dir, "a.db"), busy.Addr().String()), "is another process using the port"},
		{"unwritable bolt path", hostDoc(filepath.Join(blocker, "b.db"), "127.0.0.1:0"), "choose a writable path"},
		{"unreadable TLS files", strings.Replace(hostDoc(filepath.Join(dir, "c.db"), "127.0.0.1:0"), `"listen"`, `"tls":{"cert":"/nonexistent/c.pem","key":"/nonexistent/k.pem"},"listen"`, 1), "cannot read /nonexistent/c.pem"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := writeConfig(t, tc.doc)
			var out, errb syncBuffer
			code := Main([]string{"run", "--config", f}, &out, &errb, make(chan os.Signal))
			if code != 1 || !strings.Contains(errb.String(), tc.want) {
				t.Fatalf("exit %d, stderr %s; want exit 1 and %q", code, errb.String(), tc.want)
			}
		})
	}
	// The bolt file of the port-in-use case was closed: another store can open it at once.
	f := writeConfig(t, hostDoc(filepath.Join(dir, "a.db"), "127.0.0.1:0"))
	sigs := make(chan os.Signal, 1)
	sigs <- syscall.SIGTERM
	if code := Main([]string{"run", "--config", f}, &syncBuffer{}, &syncBuffer{}, sigs); code != 0 {
		t.Fatalf("reopen after a failed start: exit %d", code)
	}
}

// startedLog is a CLI stderr that reports the served address once the host
// logs that it started (event-driven: no polling, no sleeps).
type startedLog struct {
	syncBuffer
	once sync.Once
	addr chan string
}

func newStartedLog() *startedLog { return &startedLog{addr: make(chan string, 1)} }

func (l *startedLog) Write(p []byte) (int, error) {
	n, err := l.syncBuffer.Write(p)
	out := l.String()
	if strings.Contains(out, "host started") {
		l.once.Do(func() {
			_, rest, _ := strings.Cut(out, "url=http")
			rest = strings.TrimPrefix(strings.TrimPrefix(rest, "s"), "://")
			addr, _, _ := strings.Cut(rest, "\n")
			l.addr <- strings.TrimSpace(addr)
		})
	}
	return n, err
}

func (l *startedLog) wait(t testing.TB) string {
	t.Helper()
	select {
	case a := <-l.addr:
		return a
	case <-time.After(30 * time.Second):
		t.Fatalf("host never started: %s", l.String())
	}
	return ""
}

func TestRunServesAndStopsOnSignal(t *testing.T) {
	f := writeConfig(t, hostDoc(filepath.Join(t.TempDir(), "s.db"), "127.0.0.1:0"))
	sigs := make(chan os.Signal, 2)
	errb := newStartedLog()
	done := make(chan int, 1)
	go func() { done <- Main([]string{"run", "--config", f}, &syncBuffer{}, errb, sigs) }()
	addr := errb.wait(t)
	ready, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	ready.Body.Close()
	if ready.StatusCode != 200 {
		t.Fatalf("readyz: %d", ready.StatusCode)
	}
	resp, err := http.Get("http://" + addr + "/hello/ada")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("hello: %d", resp.StatusCode)
	}
	sigs <- syscall.SIGTERM
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "host stopping") {
		t.Fatalf("no graceful stop logged: %s", errb.String())
	}
}

// stuck is a vendor whose Close blocks until released, to test the second signal.
type stuck struct{ release chan struct{} }

var stuckRelease chan struct{} // set per test, before the host constructs the vendor

func init() {
	module.Register(module.Registration{ID: "vendors.stuck", New: func() module.Module { return &stuck{release: stuckRelease} }})
}

func (s *stuck) Close(ctx context.Context) error {
	select {
	case <-s.release:
	case <-ctx.Done():
	}
	return nil
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	doc := `{"name":"t","shutdownGrace":"1h","vendors":[{"type":"vendors.stuck"}],"bindings":[{"type":"bindings.http","config":{"listen":"127.0.0.1:0"}}]}`
	f := writeConfig(t, doc)
	release := make(chan struct{})
	stuckRelease = release
	sigs := make(chan os.Signal, 2)
	errb := newStartedLog()
	done := make(chan int, 1)
	go func() { done <- Main([]string{"run", "--config", f}, &syncBuffer{}, errb, sigs) }()
	t.Cleanup(func() { close(release) })
	errb.wait(t)
	sigs <- syscall.SIGINT // graceful shutdown starts and blocks in vendors.stuck
	sigs <- syscall.SIGINT
	if code := <-done; code != 1 || !strings.Contains(errb.String(), "exiting at once") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if Main(nil, &out, &errb, nil) != 2 || Main([]string{"bogus"}, &out, &errb, nil) != 2 || Main([]string{"run"}, &out, &errb, nil) != 2 {
		t.Fatal("usage errors must exit 2")
	}
	out.Reset()
	if Main([]string{"modules"}, &out, &errb, nil) != 0 || !strings.Contains(out.String(), "state.bolt") || !strings.Contains(out.String(), "bindings.http") {
		t.Fatalf("modules: %s", out.String())
	}
}

// run and check follow the flag conventions of every cadenza command
// (package cli's Flags): --flag and --flag=value, a single dash for long
// names too, flags after positional arguments (which these commands do not
// take), --help and -h to stdout with exit 0, and a usage error naming the
// problem first, then the usage line, exit 2.
func TestRunAndCheckFlagConventions(t *testing.T) {
	f := writeConfig(t, hostDoc(filepath.Join(t.TempDir(), "s.db"), "127.0.0.1:0"))
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // prefix
		stderr string // exact, when code is 2
	}{
		{name: "check --config FILE", args: []string{"check", "--config", f}, stdout: f + ": ok\n"},
		{name: "check --config=FILE", args: []string{"check", "--config=" + f}, stdout: f + ": ok\n"},
		{name: "check -config FILE", args: []string{"check", "-config", f}, stdout: f + ": ok\n"},
		{name: "check --help", args: []string{"check", "--help"}, stdout: "usage: cadenza check --config FILE\n\nValidates the config"},
		{name: "check -h after a flag", args: []string{"check", "--config", f, "-h"}, stdout: "usage: cadenza check --config FILE\n"},
		{name: "check with an argument before the flag", args: []string{"check", "stray", "--config", f}, code: 2,
			stderr: "cadenza check: unexpected argument \"stray\"\nusage: cadenza check --config FILE (cadenza check -h for more)\n"},
		{name: "check without --config", args: []string{"check"}, code: 2,
			stderr: "cadenza check: --config FILE is required (try samples/hello.json)\nusage: cadenza check --config FILE (cadenza check -h for more)\n"},
		{name: "run --help", args: []string{"run", "--help"}, stdout: "usage: cadenza run --config FILE\n\nRuns the host"},
		{name: "run -h", args: []string{"run", "-h"}, stdout: "usage: cadenza run --config FILE\n"},
		{name: "run with an unknown flag", args: []string{"run", "--config", f, "--bogus"}, code: 2,
			stderr: "cadenza run: unknown flag: --bogus\nusage: cadenza run --config FILE (cadenza run -h for more)\n"},
		{name: "run without the value of --config", args: []string{"run", "--config"}, code: 2,
			stderr: "cadenza run: flag needs an argument: --config\nusage: cadenza run --config FILE (cadenza run -h for more)\n"},
		{name: "run with an argument", args: []string{"run", "--config", f, "now"}, code: 2,
			stderr: "cadenza run: unexpected argument \"now\"\nusage: cadenza run --config FILE (cadenza run -h for more)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb syncBuffer
			code := Main(tc.args, &out, &errb, nil)
			if code != tc.code || !strings.HasPrefix(out.String(), tc.stdout) || (code == 2 && errb.String() != tc.stderr) || (code == 0 && errb.String() != "") {
				t.Fatalf("exit %d, want %d\nstdout %q, want a prefix %q\nstderr %q, want %q", code, tc.code, out.String(), tc.stdout, errb.String(), tc.stderr)
			}
		})
	}
	// run takes the same forms: --config=FILE and -config FILE start the host
	// (stopped at once by a signal sent before).
	for _, args := range [][]string{{"run", "--config=" + f}, {"run", "-config", f}} {
		sigs := make(chan os.Signal, 1)
		sigs <- syscall.SIGTERM
		var errb syncBuffer
		if code := Main(args, &syncBuffer{}, &errb, sigs); code != 0 || !strings.Contains(errb.String(), "host started") {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
	}
}

// Main dispatches `cadenza call` and the operator commands to package cli,
// and lists them in its usage.
func TestMainDispatchesCallAndTheOperatorCommands(t *testing.T) {
	var out bytes.Buffer
	if Main([]string{"help"}, &out, io.Discard, nil) != 0 {
		t.Fatal("help must exit 0")
	}
	for _, cmd := range []string{"run", "check", "modules", "version", "call", "registry", "app", "device", "deploy", "deployment", "eligibility"} {
		if !strings.Contains(out.String(), "\n  "+cmd+" ") {
			t.Errorf("the usage lacks %s:\n%s", cmd, out.String())
		}
	}
	for args, prefix := range map[string]string{
		"call -h":               "usage: cadenza call [flags] METHOD TARGET\n",
		"deploy --help":         "usage: cadenza deploy APP ",
		"deployments update -h": "usage: cadenza deployment update ID ",
		"apps list --help":      "usage: cadenza app list\n",
		"eligibility --help":    "usage: cadenza eligibility APP --device",
		"registry --help":       "usage: cadenza registry <command> [flags]\n",
	} {
		out.Reset()
		if code := Main(strings.Fields(args), &out, io.Discard, nil); code != 0 || !strings.HasPrefix(out.String(), prefix) {
			t.Errorf("%s: exit %d: %q", args, code, out.String())
		}
	}
	var errb bytes.Buffer
	if code := Main([]string{"deploy", "hello"}, io.Discard, &errb, nil); code != 2 || !strings.HasPrefix(errb.String(), "cadenza deploy: name the target devices") {
		t.Errorf("deploy without a target: exit %d: %q", code, errb.String())
	}
}
