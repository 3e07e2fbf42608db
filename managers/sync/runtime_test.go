package sync

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/margo/document"
)

func TestEachProfileTypeRunsOnTheProviderThatDeclaresIt(t *testing.T) {
	w := newFakeWFM(t)
	helm, compose, other := newFakeProvider("helm.v3", "helm"), newFakeProvider("compose"), newFakeProvider("custom")
	a := newAgent(t, w, agentOpts{workloads: []workload.Provider{other, compose, helm}})
	w.assign(deployment(depA, "helm.v3", "1.0.0", "x", "chart"), deployment(depB, "compose", "1", "x", "app"))
	a.pollNow(t)
	if !slices.Equal(helm.installedNames(), []string{"chart"}) || !slices.Equal(compose.installedNames(), []string{"app"}) || len(other.applies) != 0 {
		t.Fatalf("helm %v compose %v other %v", helm.installedNames(), compose.installedNames(), other.appliedNames())
	}
	if got := a.recon.runtimes.types(); !slices.Equal(got, []string{"compose", "custom", "helm", "helm.v3"}) {
		t.Fatalf("runtimes %v", got)
	}
}

func TestNoProviderForTheTypeFailsWithItsCode(t *testing.T) {
	w := newFakeWFM(t)
	a := newAgent(t, w, agentOpts{workload: newFakeProvider("compose")})
	w.assign(deployment(depA, "helm.v3", "1.0.0", "x", "chart"))
	a.pollNow(t)
	r := lastReport(t, w.reports(), depA)
	if r.Status.State != "failed" || r.Status.Error == nil || r.Status.Error.Code != CodeNoProvider || !strings.Contains(r.Status.Error.Message, "helm.v3") {
		t.Fatalf("report %+v", r.Status)
	}
}

func TestTwoProvidersClaimingOneTypeIsAConfigError(t *testing.T) {
	m := New()
	err := m.CheckBindings(map[string][]module.Bound{RoleWorkload: {
		{Name: "helm", Module: newFakeProvider("helm.v3", "helm")},
		{Name: "podman", Module: newFakeProvider("compose")},
		{Name: "docker", Module: newFakeProvider("compose")},
	}})
	var re *module.RoleError
	if !errors.As(err, &re) || re.Role != RoleWorkload || !strings.Contains(re.Reason, `"podman" and "docker" both run deployment profile type compose`) {
		t.Fatalf("err = %v", err)
	}
	empty := newFakeProvider()
	empty.types = nil
	if err := m.CheckBindings(map[string][]module.Bound{RoleWorkload: {{Name: "empty", Module: empty}}}); err == nil || !strings.Contains(err.Error(), `"empty" runs no deployment profile type`) {
		t.Fatalf("empty types: %v", err)
	}
}

func TestFlatCapabilitiesReportTheBoundDeploymentTypes(t *testing.T) {
	on := true
	for _, c := range []struct {
		name  string
		types [][]string
		want  []string
	}{
		{"helm only", [][]string{{"helm.v3", "helm"}}, []string{"helm"}},
		{"both, custom left out of the P1 layout", [][]string{{"compose"}, {"custom"}, {"helm.v3"}}, []string{"compose", "helm"}},
		{"none: identity only", nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newFakeWFM(t)
			var ps []workload.Provider
			for _, ts := range c.types {
				ps = append(ps, newFakeProvider(ts...))
			}
			a := newAgent(t, w, agentOpts{workloads: ps, config: func(cfg *Config) {
				cfg.CapabilitiesShape, cfg.Device.OTelCollector = ShapeFlat, &on
			}})
			a.pollNow(t)
			w.mu.Lock()
			defer w.mu.Unlock()
			if len(w.caps) != 1 {
				t.Fatalf("%d capabilities reports", len(w.caps))
			}
			doc := w.caps[0].doc
			if doc.Shape != document.ShapeP1Flat || !slices.Equal(doc.Properties.SupportedDeploymentTypes, c.want) {
				t.Fatalf("shape %s types %v, want flat %v", doc.Shape, doc.Properties.SupportedDeploymentTypes, c.want)
			}
			if c.want != nil && (len(doc.Properties.CPUs) != 1 || doc.Properties.OTelCollector == nil || !*doc.Properties.OTelCollector) {
				t.Fatalf("hosting fields %+v", doc.Properties)
			}
		})
	}
}

func TestFlatCapabilitiesNeedAnOTelCollector(t *testing.T) {
	c := Config{}
	c.Defaults()
	c.WFM.URL = "https://127.0.0.1:1/api/v1"
	c.CapabilitiesShape = ShapeFlat
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "device.otelCollector") {
		t.Fatalf("err = %v", err)
	}
	c.CapabilitiesShape = "gateway"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "capabilitiesShape") {
		t.Fatalf("err = %v", err)
	}
}

// fixedClock stops the agent's clock, so a retry scheduled by a failure
// stays in the future for the rest of the test.
func fixedClock(a *agent) {
	at := time.Now()
	a.now = func() time.Time { return at }
}

// A deployment that failed for good (no provider for its type) and then
// left the manifest is removed at once, not after the next restart.
func TestDroppedPermanentlyFailedDeploymentIsRemovedAtOnce(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider("helm.v3")
	a := newAgent(t, w, agentOpts{workload: p})
	fixedClock(a)
	w.assign(deployment(depA, "compose", "1", "x", "app"), deployment(depB, "helm.v3", "1.0.0", "x", "chart"))
	a.pollNow(t)
	if r := lastReport(t, w.reports(), depA); r.Status.State != "failed" || r.Status.Error.Code != CodeNoProvider {
		t.Fatalf("report %+v", r.Status)
	}
	w.assign(deployment(depB, "helm.v3", "1.0.0", "x", "chart"))
	a.pollNow(t)
	if got := states(w.reports(), depA); got[len(got)-1] != "removed" {
		t.Fatalf("states of the dropped deployment %v, want it removed at once", got)
	}
	a.pollNow(t)
	if a.recon.reconciled != a.poller.target.Version {
		t.Fatalf("reconciled %d, target %d", a.recon.reconciled, a.poller.target.Version)
	}
}

// A deployment waiting for an install retry that leaves the manifest is
// removed at once, with what it had installed and what it tried to.
func TestDroppedDeploymentInBackoffIsRemovedAtOnce(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider()
	p.fail["api"] = fault.New(fault.Unavailable, "registry unreachable")
	a := newAgent(t, w, agentOpts{workload: p, config: func(c *Config) { c.BackoffMax = config.Duration(time.Hour) }})
	fixedClock(a)
	w.assign(deployment(depA, "", "1.0.0", "x", "db", "api"))
	a.pollNow(t)
	if recs, _ := a.recon.records(context.Background()); recs[depA].State != document.StateFailed || !recs[depA].NextRetry.After(a.now()) {
		t.Fatalf("record %+v: want failed with a retry in the future", recs[depA])
	}
	w.assign()
	a.pollNow(t)
	// api failed to start: whatever its Apply left on the runtime is
	// removed through the provider too, in reverse install order.
	if got := states(w.reports(), depA); got[len(got)-1] != "removed" || !slices.Equal(p.removedNames(), []string{"api", "db"}) {
		t.Fatalf("states %v, removed %v: want api and db removed at once", got, p.removedNames())
	}
}

// While a removal waits for its retry, the manifest is not reconciled.
func TestFailedRemovalKeepsTheManifestUnreconciled(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider()
	a := newAgent(t, w, agentOpts{workload: p, config: func(c *Config) { c.BackoffMax = config.Duration(time.Hour) }})
	fixedClock(a)
	w.assign(deployment(depA, "", "1.0.0", "x", "web"))
	a.pollNow(t)
	a.pollNow(t)
	if a.recon.reconciled != a.poller.target.Version {
		t.Fatalf("installed but not reconciled: %d vs %d", a.recon.reconciled, a.poller.target.Version)
	}
	p.set(func(p *fakeProvider) { p.failRm["web"] = fault.New(fault.Unavailable, "runtime down") })
	w.assign()
	a.pollNow(t)
	a.pollNow(t)
	if got := states(w.reports(), depA); got[len(got)-1] != "failed" {
		t.Fatalf("states %v", got)
	}
	if a.recon.reconciled == a.poller.target.Version {
		t.Fatalf("version %d recorded as reconciled while a removal waits for its retry", a.recon.reconciled)
	}
	p.set(func(p *fakeProvider) { delete(p.failRm, "web") })
	recs, _ := a.recon.records(context.Background())
	recs[depA].NextRetry = recs[depA].NextRetry.AddDate(-1, 0, 0)
	if !a.recon.save(context.Background(), recs[depA], nil, nil) {
		t.Fatal("save")
	}
	a.pollNow(t)
	a.pollNow(t)
	if got := states(w.reports(), depA); got[len(got)-1] != "removed" || a.recon.reconciled != a.poller.target.Version {
		t.Fatalf("states %v reconciled %d target %d", got, a.recon.reconciled, a.poller.target.Version)
	}
}

// A component whose first Apply failed (e.g. a Compose start refused on
// a port already allocated, which leaves a Created container, its network
// and volume) is removed through its provider when its deployment goes:
// the agent does not report removed while the runtime still holds it.
func TestComponentWhoseStartFailedIsRemovedThroughItsProvider(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider("compose")
	p.fail["web"] = fault.New(fault.Internal, "port is already allocated")
	a := newAgent(t, w, agentOpts{workload: p})
	w.assign(deployment(depA, "compose", "1", "x", "web"))
	a.pollNow(t)
	if r := lastReport(t, w.reports(), depA); r.Status.State != "failed" {
		t.Fatalf("report %+v", r.Status)
	}
	if v, _ := a.Deployment(context.Background(), depA); v.Components[0].Revision != "" || v.Components[0].AppliedAt != nil {
		t.Fatalf("an attempt shows as applied: %+v", v.Components[0])
	}
	w.assign()
	a.pollNow(t)
	if got := states(w.reports(), depA); got[len(got)-1] != "removed" || !slices.Equal(p.removedNames(), []string{"web"}) {
		t.Fatalf("states %v, provider removes %v: want web removed through the provider", got, p.removedNames())
	}
}
