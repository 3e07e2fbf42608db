package sync

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/managers/sync/inventory"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

// logBuffer collects a test's logs and prints them when the test fails.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// agent is a manager under test with its collaborators.
type agent struct {
	*Manager
	store  state.Store
	logs   *logBuffer
	reader *sdkmetric.ManualReader
}

// agentOpts tune newAgent.
type agentOpts struct {
	store     state.Store
	dir       string
	workload  workload.Provider   // the one workload provider, or
	workloads []workload.Provider // several
	config    func(*Config)
}

// fakeSources are deterministic discovery sources: 4 cores amd64, 8 GiB,
// 64 GiB of storage, one ethernet interface.
func fakeSources() inventory.Sources {
	return inventory.Sources{
		Proc: memProc("8388608"),
		Sys: fstest.MapFS{
			"class/net/eth0/type":   {Data: []byte("1\n")},
			"class/net/eth0/device": {Data: []byte{}},
			"class/net/eth0/uevent": {Data: []byte("INTERFACE=eth0\n")},
		},
		Dev: fstest.MapFS{},
		Interfaces: func() ([]net.Interface, error) {
			return []net.Interface{{Name: "lo", Flags: net.FlagLoopback}, {Name: "eth0"}}, nil
		},
		Statfs: func(string) (uint64, error) { return 64 << 30, nil },
		GOARCH: "amd64",
	}
}

// memProc is a /proc with 4 processors and MemTotal kb kB.
func memProc(kb string) fstest.MapFS {
	return fstest.MapFS{
		"cpuinfo": {Data: []byte("processor\t: 0\nprocessor\t: 1\nprocessor\t: 2\nprocessor\t: 3\n")},
		"meminfo": {Data: []byte("MemTotal:        " + kb + " kB\nMemFree: 1 kB\n")},
	}
}

// newAgent returns an initialised and prepared manager (no loop: tests
// drive it with step) talking to w.
func newAgent(t testing.TB, w *fakeWFM, o agentOpts) *agent {
	t.Helper()
	if o.store == nil {
		o.store = memory.New()
	}
	if o.dir == "" {
		o.dir = t.TempDir()
	}
	m := New()
	m.cfg.WFM.URL = w.url()
	m.cfg.WFM.CAFile = w.caFile
	m.cfg.Identity.Dir = o.dir
	m.cfg.PollInterval = config.Duration(20 * time.Millisecond)
	m.cfg.BackoffMax = config.Duration(200 * time.Millisecond)
	m.cfg.ApplyTimeout = config.Duration(10 * time.Second)
	if o.config != nil {
		o.config(&m.cfg)
	}
	m.sources = fakeSources()
	logs := &logBuffer{}
	reader := sdkmetric.NewManualReader()
	uses := map[string]module.Module{RoleState: o.store}
	var workloads []module.Module
	if o.workload != nil {
		workloads = append(workloads, o.workload)
	}
	for _, p := range o.workloads {
		workloads = append(workloads, p)
	}
	env := &module.Env{ID: ID, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Meter: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)), Uses: uses, UsesList: map[string][]module.Module{RoleWorkload: workloads}}
	ctx := context.Background()
	if err := m.Init(ctx, env); err != nil {
		t.Fatal(err)
	}
	if err := m.prepare(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent logs:\n%s", logs.String())
		}
	})
	return &agent{Manager: m, store: o.store, logs: logs, reader: reader}
}

// pollNow runs one step with the poll due.
func (a *agent) pollNow(t testing.TB) {
	t.Helper()
	a.poller.nextPoll, a.link.retryAt = time.Time{}, time.Time{}
	a.step(context.Background())
}

// counter returns the value of an Int64 sum with the given attribute.
func (a *agent) counter(t testing.TB, name, attr, value string) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := a.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					if v, ok := p.Attributes.Value(attribute.Key(attr)); attr == "" || ok && v.AsString() == value {
						total += p.Value
					}
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					total += p.Value
				}
			}
		}
	}
	return total
}

// deployment is a test ApplicationDeployment (helm.v3 unless typ says
// otherwise) with the given components, all at revision rev, and one
// parameter "greeting" targeting the first component.
func deployment(id, typ, rev, greeting string, comps ...string) []byte {
	if typ == "" {
		typ = "helm.v3"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: application.margo.org/v1alpha1\nkind: ApplicationDeployment\nmetadata:\n  annotations:\n    id: %s\n    applicationId: app-%s\n  name: dep-%s\n  namespace: test\nspec:\n  deploymentProfile:\n    type: %s\n    components:\n", id, id[:8], id[:8], typ)
	for _, c := range comps {
		if typ == "compose" {
			fmt.Fprintf(&b, "      - name: %s\n        properties: {packageLocation: https://example.test/%s-%s.tar.gz, wait: true}\n", c, c, rev)
		} else {
			fmt.Fprintf(&b, "      - name: %s\n        properties: {repository: oci://example.test/%s, revision: %s, wait: true, timeout: 1m0s}\n", c, c, rev)
		}
	}
	fmt.Fprintf(&b, "  parameters:\n    greeting:\n      value: %q\n      targets: [{pointer: settings.greeting, components: [%s]}]\n", greeting, comps[0])
	return []byte(b.String())
}

// Deployment ids used by the tests.
const (
	depA = "0a5f8d3e-1c2b-4d6e-8f90-1a2b3c4d5e6f"
	depB = "1b6e9f4a-2d3c-4e7f-9a01-2b3c4d5e6f70"
	depC = "2c7fa05b-3e4d-4f80-8b12-3c4d5e6f7081"
)

// states returns the overall states reported for a deployment, in order.
func states(reports []document.DeploymentStatusManifest, id string) []string {
	var out []string
	for _, r := range reports {
		if r.DeploymentID == id {
			out = append(out, string(r.Status.State))
		}
	}
	return out
}

// lastReport is the last report of a deployment.
func lastReport(t *testing.T, reports []document.DeploymentStatusManifest, id string) document.DeploymentStatusManifest {
	t.Helper()
	for i := len(reports) - 1; i >= 0; i-- {
		if reports[i].DeploymentID == id {
			return reports[i]
		}
	}
	t.Fatalf("no report for %s", id)
	return document.DeploymentStatusManifest{}
}
