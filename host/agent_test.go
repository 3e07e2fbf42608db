package main

// End-to-end tests of the device agent: a WFM host and an agent host run
// in-process through Main, on loopback, with real TLS 1.3 and real RFC 9421
// signatures. Deployments are assigned through the operator API; a test
// workload provider (workload.testfake) stands in for helm and compose.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/coa/workload/workloadtest"
	_ "github.com/cadenza-edge/cadenza/managers/sync"
	_ "github.com/cadenza-edge/cadenza/vendors/agent"
)

// testWorkloads is a faithful in-memory workload.Provider: idempotent,
// honours ctx, reports progress, keeps a generation per component, fails
// with NotFound for a source under oci://missing/. It counts every Apply
// that completes (calls, not only changes) so tests can prove the agent
// never applied anything twice. gate makes Apply of a component block.
type testWorkloads struct {
	mu        sync.Mutex
	installed map[string]testInstalled
	calls     map[string]int // component name -> completed Apply calls
	removes   map[string]int // component name -> completed Remove calls
	gates     map[string]chan struct{}
	entered   chan string // names of gated components entering Apply
	started   chan string // names of every component entering Apply
	gen       uint64
}

type testInstalled struct {
	spec workload.Component
	gen  uint64
}

func newTestWorkloads() *testWorkloads {
	return &testWorkloads{installed: map[string]testInstalled{}, calls: map[string]int{}, removes: map[string]int{},
		gates: map[string]chan struct{}{}, entered: make(chan string, 64), started: make(chan string, 256)}
}

// testFleets holds the providers by instance name; a test registers one
// before starting a host whose config names it.
var testFleets sync.Map // string -> *testWorkloads

// testWorkloadModule is the registered module: config {"instance": name,
// "types": [...]} (types default to helm.v3, helm and compose).
type testWorkloadModule struct {
	Instance string   `json:"instance"`
	Kinds    []string `json:"types,omitempty"`
	*testWorkloads
}

// Types are the configured profile types (read before Init too).
func (m *testWorkloadModule) Types() []string {
	if len(m.Kinds) > 0 {
		return m.Kinds
	}
	return m.testWorkloads.Types()
}

func init() {
	module.Register(module.Registration{ID: "workload.testfake", New: func() module.Module { return &testWorkloadModule{} },
		Summary: "test-only in-memory workload provider"})
}

func (m *testWorkloadModule) ConfigTarget() any { return m }

func (m *testWorkloadModule) Init(context.Context, *module.Env) error {
	w, ok := testFleets.Load(m.Instance)
	if !ok {
		return fmt.Errorf("no test workloads %q", m.Instance)
	}
	m.testWorkloads = w.(*testWorkloads)
	return nil
}

func componentKey(c workload.Component) string {
	return c.DeploymentID + "/" + c.Deployment + "/" + c.Name
}

func (w *testWorkloads) Types() []string { return []string{"helm.v3", "helm", "compose"} }

func (w *testWorkloads) Apply(ctx context.Context, c workload.Component, progress workload.Progress) (workload.Status, error) {
	if err := ctx.Err(); err != nil {
		return workload.Status{}, fault.Wrap(err, fault.Canceled, "apply %s", c.Name)
	}
	w.mu.Lock()
	gate := w.gates[c.Name]
	w.mu.Unlock()
	select {
	case w.started <- c.Name:
	default:
	}
	if gate != nil {
		select {
		case w.entered <- c.Name:
		default:
		}
		select {
		case <-gate:
		case <-ctx.Done():
			return workload.Status{}, fault.Wrap(ctx.Err(), fault.Canceled, "apply %s", c.Name)
		}
	}
	if strings.HasPrefix(c.Repository, "oci://missing/") {
		return workload.Status{Phase: workload.Failed, Message: "not found"}, fault.New(fault.NotFound, "%s: no such chart", c.Repository)
	}
	if progress != nil {
		progress(workload.Event{Component: c.Name, Phase: workload.Installing, Message: "pulling " + c.Repository + ":" + c.Revision})
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	k := componentKey(c)
	cur, ok := w.installed[k]
	if !ok || cur.spec.Revision != c.Revision || cur.spec.Repository != c.Repository || !equalJSON(cur.spec.Parameters, c.Parameters) {
		w.gen++
		cur = testInstalled{spec: c, gen: w.gen}
		w.installed[k] = cur
	}
	w.calls[c.Name]++
	if progress != nil {
		progress(workload.Event{Component: c.Name, Phase: workload.Installed, Message: "running"})
	}
	return w.status(cur), nil
}

func (w *testWorkloads) status(i testInstalled) workload.Status {
	return workload.Status{Phase: workload.Installed, Revision: i.spec.Revision, Details: map[string]string{workload.DetailGeneration: fmt.Sprint(i.gen)}}
}

func (w *testWorkloads) Remove(ctx context.Context, c workload.Component, _ workload.Progress) error {
	if err := ctx.Err(); err != nil {
		return fault.Wrap(err, fault.Canceled, "remove %s", c.Name)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.installed, componentKey(c))
	w.removes[c.Name]++
	return nil
}

func (w *testWorkloads) Status(_ context.Context, c workload.Component) (workload.Status, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	i, ok := w.installed[componentKey(c)]
	if !ok {
		return workload.Status{}, fault.New(fault.NotFound, "%s is not installed", c.Name)
	}
	return w.status(i), nil
}

// gate makes Apply of name block until the returned release is called.
func (w *testWorkloads) gate(name string) (release func()) {
	ch := make(chan struct{})
	w.mu.Lock()
	w.gates[name] = ch
	w.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			w.mu.Lock()
			delete(w.gates, name)
			w.mu.Unlock()
			close(ch)
		})
	}
}

// counts returns the completed Apply and Remove calls by component.
func (w *testWorkloads) counts() (applies, removes map[string]int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.calls), maps.Clone(w.removes)
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// The stand-in provider must itself keep the workload contract, or the
// end-to-end tests would prove nothing.
func TestAgentTestProviderKeepsTheWorkloadContract(t *testing.T) {
	base := workload.Component{DeploymentID: "0a5f8d3e-1c2b-4d6e-8f90-1a2b3c4d5e6f", Deployment: "wt", Namespace: "ns", Name: "web",
		ProfileType: "helm.v3", Repository: "oci://example.test/web", Revision: "1.0.0", Wait: true, Timeout: time.Minute}
	up := base
	up.Revision = "1.1.0"
	broken := base
	broken.Name, broken.Repository = "broken", "oci://missing/chart"
	workloadtest.Run(t, func(*testing.T) workload.Provider { return newTestWorkloads() },
		workloadtest.Fixture{Base: base, Upgraded: up, Broken: broken}, workloadtest.Timeout(30*time.Second))
}

// agentHost is one running agent host.
type agentHost struct {
	addr string
	dir  string
	logs *startedLog
	stop func()
}

// agentOptions shape an agent host's config.
type agentOptions struct {
	wfmURL   string // device API base URL
	caFile   string // "" = trust on first use
	fleet    string // testWorkloads instance
	deviceID string
	backoff  string // backoffMax (default 500ms)
	compose  string // workDir of a real workload.compose that runs compose profiles ("" = the test provider)
	// runtimes replaces the test provider: more workload.testfake
	// providers, each bound to the agent's workload list.
	runtimes []testRuntime
	rawDoc   string // the config to run instead of agentDoc's
}

// testRuntime is one workload.testfake provider of an agent.
type testRuntime struct {
	name, instance string
	types          []string
}

func agentDoc(dir string, o agentOptions) string {
	trust := fmt.Sprintf(`"caFile": %q`, o.caFile)
	if o.caFile == "" {
		trust = `"trustOnFirstUse": true`
	}
	runtimes := o.runtimes
	if len(runtimes) == 0 {
		runtimes = []testRuntime{{name: "fake", instance: o.fleet}}
		if o.compose != "" {
			runtimes[0].types = []string{"helm.v3", "helm"}
		}
	}
	var provs, names []string
	for _, r := range runtimes {
		types, _ := json.Marshal(r.types)
		provs = append(provs, fmt.Sprintf(`%q: {"type": "workload.testfake", "config": {"instance": %q, "types": %s}}`, r.name, r.instance, types))
		names = append(names, strconv.Quote(r.name))
	}
	if o.compose != "" {
		provs = append(provs, fmt.Sprintf(`"compose": {"type": "workload.compose", "config": {"workDir": %q}}`, o.compose))
		names = append(names, `"compose"`)
	}
	return fmt.Sprintf(`{
 "name": "agent-e2e", "shutdownGrace": "5s",
 "providers": {"state": {"type": "state.bolt", "config": {"path": %[1]q}},
               %[2]s},
 "vendors": [{"type": "vendors.agent", "managers": [
   {"type": "managers.sync", "uses": {"state": "state", "workload": [%[8]s]},
    "config": {"wfm": {"url": %[3]q, %[4]s, "requestTimeout": "5s"}, "identity": {"dir": %[5]q},
               "device": {"id": %[6]q, "vendor": "Cadenza", "model": "e2e", "serial": "E2E-1"},
               "pollInterval": "100ms", "backoffMax": %[7]q}}]}],
 "bindings": [{"type": "bindings.http", "config": {"listen": "127.0.0.1:0"}}]
}`, filepath.Join(dir, "state.bolt"), strings.Join(provs, ",\n               "), o.wfmURL, trust, dir, o.deviceID, o.backoff, strings.Join(names, ", "))
}

// startAgent runs an agent host whose files live in dir.
func startAgent(t testing.TB, dir string, o agentOptions) *agentHost {
	t.Helper()
	if o.deviceID == "" {
		o.deviceID = "edge-e2e"
	}
	if o.backoff == "" {
		o.backoff = "500ms"
	}
	f := filepath.Join(dir, "agent.json")
	doc := o.rawDoc
	if doc == "" {
		doc = agentDoc(dir, o)
	}
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan os.Signal, 1)
	logs := newStartedLog()
	done := make(chan int, 1)
	go func() { done <- Main([]string{"run", "--config", f}, &syncBuffer{}, logs, sigs) }()
	a := &agentHost{addr: waitStarted(t, logs), dir: dir, logs: logs}
	stopped := false
	a.stop = func() {
		if stopped {
			return
		}
		stopped = true
		sigs <- syscall.SIGTERM
		if code := <-done; code != 0 {
			t.Errorf("agent exit %d: %s", code, logs.String())
		}
	}
	t.Cleanup(a.stop)
	return a
}

// waitStarted is startedLog.wait for any testing.TB.
func waitStarted(t testing.TB, l *startedLog) string {
	t.Helper()
	select {
	case a := <-l.addr:
		return a
	case <-time.After(30 * time.Second):
		t.Fatalf("host never started: %s", l.String())
	}
	return ""
}

// get decodes a local API answer.
func (a *agentHost) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get("http://" + a.addr + "/agent/v1" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(b, v) != nil {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
}

// agentStatus is the part of GET /agent/v1/status the tests read.
type agentStatus struct {
	ClientID         string `json:"clientId"`
	Onboarded        bool   `json:"onboarded"`
	AcceptedVersion  uint64 `json:"acceptedVersion"`
	StatusQueueDepth int    `json:"statusQueueDepth"`
	LastPollResult   string `json:"lastPollResult"`
}

type agentDeployment struct {
	DeploymentID string `json:"deploymentId"`
	Digest       string `json:"digest"`
	State        string `json:"state"`
	Components   []struct {
		Name, State, Revision string
	} `json:"components"`
}

// deployments returns the agent's deployments by id.
func (a *agentHost) deployments(t testing.TB) map[string]agentDeployment {
	t.Helper()
	var l struct{ Items []agentDeployment }
	a.get(t, "/deployments", &l)
	out := map[string]agentDeployment{}
	for _, d := range l.Items {
		out[d.DeploymentID] = d
	}
	return out
}

// eventually polls cond (another host's state, through its API) until it
// holds, at most 30s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// writeCA writes the WFM's CA (PEM) to file, for the agent's caFile.
func writeCA(t *testing.T, w *wfm, file string) {
	t.Helper()
	ca, err := newDevice(t, w, nil).CACertificate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// e2eYAML is a P1 deployment with components at revision rev; the
// parameter "greeting" targets the first component.
func e2eYAML(id, typ, rev, greeting string, comps ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: application.margo.org/v1alpha1\nkind: ApplicationDeployment\nmetadata:\n  annotations:\n    id: %s\n    applicationId: app-%s\n  name: app-%s\n  namespace: e2e\nspec:\n  deploymentProfile:\n    type: %s\n    components:\n", id, id[:4], id[:4], typ)
	for _, c := range comps {
		if typ == "compose" {
			fmt.Fprintf(&b, "      - name: %s\n        properties: {packageLocation: \"https://example.test/%s-%s.tar.gz\", wait: true}\n", c, c, rev)
		} else {
			fmt.Fprintf(&b, "      - name: %s\n        properties: {repository: \"oci://example.test/%s\", revision: %q, wait: true, timeout: 1m0s}\n", c, c, rev)
		}
	}
	fmt.Fprintf(&b, "  parameters:\n    greeting:\n      value: %q\n      targets: [{pointer: settings.greeting, components: [%s]}]\n", greeting, comps[0])
	return []byte(b.String())
}

const (
	e2eA = "5d1e3f4a-6b7c-4d8e-9f01-2a3b4c5d6e7f"
	e2eB = "6e2f405b-7c8d-4e9f-8a12-3b4c5d6e7f80"
)

// statusHistory returns the states the WFM received for a deployment, oldest first.
func statusHistory(t *testing.T, w *wfm, client, id string) (int, []string) {
	t.Helper()
	code, out := w.operator(t, "GET", "/clients/"+client+"/deployments/"+id+"/status?limit=1000", "", nil)
	if code != 200 {
		return code, nil
	}
	var l struct {
		Items []struct{ State string }
	}
	_ = json.Unmarshal(out, &l)
	var states []string
	for i := len(l.Items) - 1; i >= 0; i-- {
		states = append(states, l.Items[i].State)
	}
	return code, states
}

// onboardAgent starts a WFM and an agent and waits for the onboarding.
func onboardAgent(t *testing.T, fleet string) (*wfm, *agentHost, *testWorkloads, string) {
	t.Helper()
	w := startWFM(t, t.TempDir())
	tw := newTestWorkloads()
	testFleets.Store(fleet, tw)
	t.Cleanup(func() { testFleets.Delete(fleet) })
	dir := t.TempDir()
	writeCA(t, w, filepath.Join(dir, "ca.pem"))
	a := startAgent(t, dir, agentOptions{wfmURL: w.base(), caFile: filepath.Join(dir, "ca.pem"), fleet: fleet})
	var st agentStatus
	eventually(t, "the agent has onboarded", func() bool { a.get(t, "/status", &st); return st.Onboarded })
	return w, a, tw, st.ClientID
}

func apply(t *testing.T, w *wfm, client string, yaml []byte) {
	t.Helper()
	if code, out := w.operator(t, "PUT", "/clients/"+client+"/deployments", "application/yaml", yaml); code != 201 && code != 200 {
		t.Fatalf("apply: %d %s", code, out)
	}
}

// latest returns the WFM's latest status state of a deployment and its digest.
func latest(t *testing.T, w *wfm, client, id string) (code int, state, digest string) {
	t.Helper()
	code, out := w.operator(t, "GET", "/clients/"+client+"/deployments/"+id, "", nil)
	var d struct {
		Digest string
		Status *struct{ State string }
	}
	_ = json.Unmarshal(out, &d)
	if d.Status != nil {
		state = d.Status.State
	}
	return code, state, d.Digest
}

func TestEndToEndAgentInstallsChangesAndRemoves(t *testing.T) {
	w, a, tw, client := onboardAgent(t, t.Name())
	var out []byte
	eventually(t, "the capabilities reached the WFM", func() bool {
		var code int
		code, out = w.operator(t, "GET", "/clients/"+client+"/devices/edge-e2e", "", nil)
		return code == 200
	})
	if !strings.Contains(string(out), `"Standalone Device"`) || !strings.Contains(string(out), `"E2E-1"`) {
		t.Fatalf("capabilities at the WFM: %s", out)
	}
	apply(t, w, client, e2eYAML(e2eA, "helm.v3", "1.0.0", "hi", "db", "api"))
	apply(t, w, client, e2eYAML(e2eB, "compose", "1", "hi", "web"))
	for _, id := range []string{e2eA, e2eB} {
		eventually(t, id+" installed at the WFM", func() bool { _, s, _ := latest(t, w, client, id); return s == "installed" })
	}
	local := a.deployments(t)
	if local[e2eA].State != "installed" || local[e2eB].State != "installed" || local[e2eA].Components[1].State != "installed" || local[e2eA].Components[0].Revision != "1.0.0" {
		t.Fatalf("agent view %+v", local)
	}
	if _, h := statusHistory(t, w, client, e2eA); !slices.Equal(h, []string{"pending", "installing", "installing", "installed"}) {
		t.Fatalf("reports of A %v", h)
	}

	// Change A (db gets a new parameter value), remove B.
	_, before := statusHistory(t, w, client, e2eA)
	changed := e2eYAML(e2eA, "helm.v3", "1.0.0", "hello", "db", "api")
	apply(t, w, client, changed)
	if code, out := w.operator(t, "DELETE", "/clients/"+client+"/deployments/"+e2eB, "", nil); code != 202 {
		t.Fatalf("remove: %d %s", code, out)
	}
	eventually(t, "A upgraded at the WFM", func() bool {
		_, h := statusHistory(t, w, client, e2eA)
		return len(h) > len(before) && h[len(h)-1] == "installed"
	})
	eventually(t, "B removed (the WFM purges a deployment once it reports removed)", func() bool {
		code, _ := statusHistory(t, w, client, e2eB)
		return code == 404
	})
	local = a.deployments(t)
	if local[e2eB].State != "removed" || local[e2eA].State != "installed" {
		t.Fatalf("agent view after the change %+v", local)
	}
	applies, removes := tw.counts()
	if !maps.Equal(applies, map[string]int{"db": 2, "api": 1, "web": 1}) || !maps.Equal(removes, map[string]int{"web": 1}) {
		t.Fatalf("provider calls: applies %v removes %v", applies, removes)
	}
}

// tcpProxy forwards loopback TCP connections to a target that can be
// switched off (every connection is closed at once and new ones are
// refused) and on again, so the agent keeps one WFM URL while the WFM
// behind it stops and restarts on another port.
type tcpProxy struct {
	ln     net.Listener
	mu     sync.Mutex
	target string
	conns  map[net.Conn]bool
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { _ = ln.Close(); p.setTarget("") })
	go p.serve()
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		target := p.target
		p.mu.Unlock()
		if target == "" {
			_ = c.Close()
			continue
		}
		up, err := net.Dial("tcp", target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
		go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
	}
}

// setTarget switches the upstream; "" takes the WFM "down".
func (p *tcpProxy) setTarget(target string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target = target
	if target == "" {
		for c := range p.conns {
			_ = c.Close()
		}
		clear(p.conns)
	}
}

func TestEndToEndAgentRidesOutAWFMOutage(t *testing.T) {
	wfmDir := t.TempDir()
	w := startWFM(t, wfmDir)
	proxy := newTCPProxy(t, w.addr)
	tw := newTestWorkloads()
	testFleets.Store(t.Name(), tw)
	defer testFleets.Delete(t.Name())
	dir := t.TempDir()
	writeCA(t, w, filepath.Join(dir, "ca.pem"))
	a := startAgent(t, dir, agentOptions{wfmURL: "https://" + proxy.addr() + "/api/v1", caFile: filepath.Join(dir, "ca.pem"), fleet: t.Name()})
	var st agentStatus
	eventually(t, "the agent has onboarded", func() bool { a.get(t, "/status", &st); return st.Onboarded })
	client := st.ClientID

	release := tw.gate("api")
	defer release()
	apply(t, w, client, e2eYAML(e2eA, "helm.v3", "1.0.0", "hi", "db", "api", "web"))
	waitEntered(t, tw, "api")
	eventually(t, "the reports so far reached the WFM", func() bool {
		_, h := statusHistory(t, w, client, e2eA)
		return len(h) == 3
	})

	// The WFM goes away; the install finishes meanwhile.
	proxy.setTarget("")
	w.stop()
	release()
	eventually(t, "the agent installed A and queued its reports", func() bool {
		a.get(t, "/status", &st)
		return a.deployments(t)[e2eA].State == "installed" && st.StatusQueueDepth == 2 && st.LastPollResult == "error"
	})
	if _, removes := tw.counts(); len(removes) != 0 {
		t.Fatalf("the agent removed workloads while the WFM was down: %v", removes)
	}

	// The WFM comes back (same state, another port behind the same address).
	w2 := startWFM(t, wfmDir)
	proxy.setTarget(w2.addr)
	eventually(t, "the queued reports are delivered", func() bool {
		a.get(t, "/status", &st)
		_, s, _ := latest(t, w2, client, e2eA)
		return st.StatusQueueDepth == 0 && s == "installed"
	})
	if _, h := statusHistory(t, w2, client, e2eA); !slices.Equal(h, []string{"pending", "installing", "installing", "installing", "installed"}) {
		t.Fatalf("reports at the WFM %v: want every one, in order", h)
	}
	var errs struct {
		Items []struct{ Kind, Message string }
	}
	a.get(t, "/errors?limit=5", &errs)
	if len(errs.Items) == 0 {
		t.Fatal("the outage left no error in the local API")
	}
	if applies, _ := tw.counts(); !maps.Equal(applies, map[string]int{"db": 1, "api": 1, "web": 1}) {
		t.Fatalf("applies %v", applies)
	}
}

func waitEntered(t *testing.T, tw *testWorkloads, name string) {
	t.Helper()
	select {
	case n := <-tw.entered:
		if n != name {
			t.Fatalf("%s entered Apply, want %s", n, name)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s never reached the provider", name)
	}
}

func TestEndToEndAgentStoppedMidApplyResumesWithoutApplyingTwice(t *testing.T) {
	w, a, tw, client := onboardAgent(t, t.Name())
	release := tw.gate("api")
	defer release()
	apply(t, w, client, e2eYAML(e2eA, "helm.v3", "1.0.0", "hi", "db", "api", "web"))
	waitEntered(t, tw, "api")
	a.stop() // the blocked Apply sees its context canceled
	release()
	if applies, _ := tw.counts(); !maps.Equal(applies, map[string]int{"db": 1}) {
		t.Fatalf("applies before the restart %v", applies)
	}
	startAgent(t, a.dir, agentOptions{wfmURL: w.base(), caFile: filepath.Join(a.dir, "ca.pem"), fleet: t.Name()})
	eventually(t, "A installed after the restart", func() bool { _, s, _ := latest(t, w, client, e2eA); return s == "installed" })
	if applies, _ := tw.counts(); !maps.Equal(applies, map[string]int{"db": 1, "api": 1, "web": 1}) {
		t.Fatalf("applies %v: each component exactly once", applies)
	}
	_, h := statusHistory(t, w, client, e2eA)
	if h[0] != "pending" || h[len(h)-1] != "installed" || slices.Contains(h, "failed") {
		t.Fatalf("reports %v", h)
	}
}

func TestEndToEndAgentStoppedAtAnyMomentReachesTheSameEndState(t *testing.T) {
	w, a, tw, client := onboardAgent(t, t.Name())
	ids := []string{"7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e", "9c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f", "ad4e5f6a-7b8c-4d9e-9f0a-2b3c4d5e6f7a"}
	for i, id := range ids {
		apply(t, w, client, e2eYAML(id, "helm.v3", "1.0.0", "x", fmt.Sprintf("c%d-db", i), fmt.Sprintf("c%d-api", i)))
	}
	// Pull the plug after the 1st, 3rd and 5th Apply started: mid-install,
	// between components, between deployments.
	for _, k := range []int{1, 2, 2} {
		for range k {
			select {
			case <-tw.started:
			case <-time.After(30 * time.Second):
				t.Fatal("no Apply started")
			}
		}
		a.stop()
		a = startAgent(t, a.dir, agentOptions{wfmURL: w.base(), caFile: filepath.Join(a.dir, "ca.pem"), fleet: t.Name()})
	}
	for _, id := range ids {
		eventually(t, id+" installed", func() bool { _, s, _ := latest(t, w, client, id); return s == "installed" })
	}
	applies, _ := tw.counts()
	for name, n := range applies {
		if n != 1 {
			t.Fatalf("%s applied %d times (all: %v)", name, n, applies)
		}
	}
	if len(applies) != 2*len(ids) {
		t.Fatalf("applies %v", applies)
	}
}

func TestEndToEndAgentTrustsOnFirstUseAndPins(t *testing.T) {
	w := startWFM(t, t.TempDir())
	testFleets.Store(t.Name(), newTestWorkloads())
	defer testFleets.Delete(t.Name())
	dir := t.TempDir()
	a := startAgent(t, dir, agentOptions{wfmURL: w.base(), fleet: t.Name()})
	var st agentStatus
	eventually(t, "the agent has onboarded", func() bool { a.get(t, "/status", &st); return st.Onboarded })
	want := filepath.Join(dir, "want.pem")
	writeCA(t, w, want)
	if got := readFile(t, filepath.Join(dir, "wfm-ca.pem")); !bytes.Equal(got, readFile(t, want)) {
		t.Fatalf("pinned CA differs from the WFM's:\n%s", got)
	}
	if !strings.Contains(a.logs.String(), "trusted the WFM's CA on first use") {
		t.Fatal("trust on first use was not logged")
	}
}

func TestCheckAcceptsTheAgentSample(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main([]string{"check", "--config", "../samples/agent.json"}, &out, &errb, nil); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "managers.sync") || !strings.Contains(out.String(), "vendors.agent") {
		t.Fatalf("check output: %s", out.String())
	}
}

// benchPair is a WFM and an onboarded agent for benchmarks (startWFM and
// the operator helpers need a *testing.T, so this has its own).
type benchPair struct {
	wfmAddr string
	hc      *http.Client
	agent   *agentHost
	client  string
}

func startBenchPair(b testing.TB, fleet string) *benchPair {
	b.Helper()
	dir := b.TempDir()
	f := filepath.Join(dir, "wfm.json")
	if err := os.WriteFile(f, []byte(wfmDoc(dir)), 0o600); err != nil {
		b.Fatal(err)
	}
	sigs := make(chan os.Signal, 1)
	logs := newStartedLog()
	done := make(chan int, 1)
	go func() { done <- Main([]string{"run", "--config", f}, &syncBuffer{}, logs, sigs) }()
	p := &benchPair{wfmAddr: waitStarted(b, logs)}
	b.Cleanup(func() { sigs <- syscall.SIGTERM; <-done })
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // fetching the CA to pin it
	resp, err := insecure.Get("https://" + p.wfmAddr + "/api/v1/onboarding/certificate")
	if err != nil {
		b.Fatal(err)
	}
	var doc struct{ Certificate string }
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	caPEM, _ := base64.StdEncoding.DecodeString(doc.Certificate)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	p.hc = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	agentDir := b.TempDir()
	if err := os.WriteFile(filepath.Join(agentDir, "ca.pem"), caPEM, 0o600); err != nil {
		b.Fatal(err)
	}
	p.agent = startAgent(b, agentDir, agentOptions{wfmURL: "https://" + p.wfmAddr + "/api/v1", caFile: filepath.Join(agentDir, "ca.pem"), fleet: fleet})
	var st agentStatus
	eventually(b, "the agent has onboarded", func() bool { p.agent.get(b, "/status", &st); return st.Onboarded })
	p.client = st.ClientID
	return p
}

// operator calls the WFM's operator API.
func (p *benchPair) operator(b testing.TB, method, path string, body []byte) (int, []byte) {
	b.Helper()
	req, _ := http.NewRequest(method, "https://"+p.wfmAddr+"/fleet/v1"+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+operatorToken)
	req.Header.Set("Content-Type", "application/yaml")
	resp, err := p.hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// lastReport returns when the WFM received the latest status of id, and its state.
func (p *benchPair) lastReport(b testing.TB, id string) (time.Time, string) {
	b.Helper()
	_, out := p.operator(b, "GET", "/clients/"+p.client+"/deployments/"+id, nil)
	var d struct {
		Status *struct {
			Received time.Time
			State    string
		}
	}
	_ = json.Unmarshal(out, &d)
	if d.Status == nil {
		return time.Time{}, ""
	}
	return d.Status.Received, d.Status.State
}

// settled waits until the agent installed revision yaml of id and delivered every report.
func (p *benchPair) settled(b testing.TB, id string, yaml []byte) {
	b.Helper()
	digest := fmt.Sprintf("sha256:%x", sha256.Sum256(yaml))
	eventually(b, "the agent settled", func() bool {
		var st agentStatus
		p.agent.get(b, "/status", &st)
		d := p.agent.deployments(b)[id]
		return d.Digest == digest && d.State == "installed" && st.StatusQueueDepth == 0
	})
}

// BenchmarkAgentManifestChangeToFirstStatus measures the time from an
// operator's change of a deployment to the WFM receiving the agent's first
// status report for it (pending), with the agent polling every 100ms, and
// with a poll triggered through the local API right after the change
// (which isolates the agent's own processing: poll, fetch, verify, accept,
// report).
func BenchmarkAgentManifestChangeToFirstStatus(b *testing.B) {
	for _, trigger := range []bool{false, true} {
		name := "poll100ms"
		if trigger {
			name = "syncTrigger"
		}
		b.Run(name, func(b *testing.B) {
			fleet := "bench-" + name
			testFleets.Store(fleet, newTestWorkloads())
			defer testFleets.Delete(fleet)
			p := startBenchPair(b, fleet)
			for i := range b.N + 1 {
				yaml := e2eYAML(e2eA, "helm.v3", "1.0.0", fmt.Sprint("v", i), "db")
				start := time.Now()
				if code, out := p.operator(b, "PUT", "/clients/"+p.client+"/deployments", yaml); code != 201 && code != 200 {
					b.Fatalf("apply: %d %s", code, out)
				}
				if trigger {
					resp, err := http.Post("http://"+p.agent.addr+"/agent/v1/sync", "", nil)
					if err != nil {
						b.Fatal(err)
					}
					resp.Body.Close()
				}
				for {
					if at, _ := p.lastReport(b, e2eA); !at.Before(start) {
						break
					}
					if time.Since(start) > 30*time.Second {
						b.Fatal("no status report within 30s")
					}
					time.Sleep(time.Millisecond) // polling the WFM's API; leave it the CPU
				}
				b.StopTimer()
				p.settled(b, e2eA, yaml)
				if i == 0 {
					b.ResetTimer() // the first round onboards the deployment
				}
				b.StartTimer()
			}
		})
	}
}
