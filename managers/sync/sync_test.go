package sync

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestOnboardsOnceAndReportsCapabilitiesOnChange(t *testing.T) {
	w := newFakeWFM(t)
	store, dir := memory.New(), t.TempDir()
	a := newAgent(t, w, agentOpts{store: store, dir: dir})
	a.pollNow(t)
	if w.count("onboarding") != 1 || a.link.client == nil || a.link.client.ClientID() != "client-1" {
		t.Fatalf("onboarding calls %d, client %v", w.count("onboarding"), a.link.client)
	}
	if info, err := os.Stat(a.cfg.Identity.Key); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("device key: %v %v", info, err)
	}
	w.mu.Lock()
	caps := slices.Clone(w.caps)
	w.mu.Unlock()
	if len(caps) != 1 || caps[0].method != "POST" || caps[0].deviceID != "client-1" {
		t.Fatalf("capabilities calls %+v", caps)
	}
	res := caps[0].doc.Properties.Resources
	if res.CPU.Cores != 4 || res.CPU.Architecture != "amd64" || res.Memory != "8192Mi" || res.Storage != "64Gi" ||
		len(res.Interfaces) != 1 || res.Interfaces[0].Type != "ethernet" || caps[0].doc.Properties.Roles[0] != document.RoleStandaloneDevice {
		t.Fatalf("capabilities %+v", caps[0].doc.Properties)
	}

	// Unchanged: not reported again, even by a restarted agent with the same store and files.
	a.caps.at = a.caps.at.Add(-a.cfg.PollInterval.D())
	a.pollNow(t)
	b := newAgent(t, w, agentOpts{store: store, dir: dir})
	b.pollNow(t)
	if w.count("onboarding") != 1 || w.count("capabilities") != 1 || b.link.client.ClientID() != "client-1" {
		t.Fatalf("after restart: onboarding %d, capabilities %d, client %s", w.count("onboarding"), w.count("capabilities"), b.link.client.ClientID())
	}

	// Changed (memory grew): reported again with PUT.
	b.caps.sources.Proc = memProc("16777216")
	b.caps.at = b.caps.at.Add(-b.cfg.PollInterval.D())
	b.pollNow(t)
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.caps) != 2 || w.caps[1].method != "PUT" || w.caps[1].doc.Properties.Resources.Memory != "16Gi" {
		t.Fatalf("changed capabilities not reported: %+v", w.caps)
	}
}

func TestInstallsComponentsInOrderAndReportsEveryState(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider()
	a := newAgent(t, w, agentOpts{workload: p})
	w.assign(deployment(depA, "", "1.0.0", "hi", "db", "api", "web"))
	a.pollNow(t)

	if got := p.appliedNames(); !slices.Equal(got, []string{"db", "api", "web"}) {
		t.Fatalf("applies %v, want db, api, web in order", got)
	}
	if got := states(w.reports(), depA); !slices.Equal(got, []string{"pending", "installing", "installing", "installing", "installed"}) {
		t.Fatalf("reported states %v", got)
	}
	first := w.reports()[0]
	if first.Status.Error == nil || first.Status.Error.Code != CodePending || !strings.Contains(first.Status.Error.Message, "manifest version 2") {
		t.Fatalf("pending without a reason: %+v", first.Status)
	}
	// Parameters reach only the components their targets name.
	p.mu.Lock()
	db, api := p.applies[0], p.applies[1]
	p.mu.Unlock()
	if db.Parameters["settings.greeting"] != "hi" || len(api.Parameters) != 0 || !db.Wait || db.Timeout.String() != "1m0s" || db.Revision != "1.0.0" {
		t.Fatalf("component specs: db %+v, api %+v", db, api)
	}
	st, err := a.Status(context.Background())
	if err != nil || st.AcceptedVersion != 2 || st.ETag == "" || st.LastPollResult != "accepted" {
		t.Fatalf("status %+v %v", st, err)
	}
	// The next pass finds nothing to do and records the version as reconciled.
	a.pollNow(t)
	if st, _ := a.Status(context.Background()); st.ReconciledVersion != 2 || st.LastPollResult != "not-modified" {
		t.Fatalf("status after a quiet pass %+v", st)
	}
	if len(p.appliedNames()) != 3 {
		t.Fatalf("re-applied: %v", p.appliedNames())
	}
}

func TestUpgradeAppliesOnlyChangedComponentsAndRemovalGoesInReverse(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider()
	a := newAgent(t, w, agentOpts{workload: p})
	w.assign(deployment(depA, "", "1.0.0", "hi", "db", "api"), deployment(depB, "", "1.0.0", "x", "one", "two"))
	a.pollNow(t)
	if w.count("bundle") != 1 {
		t.Fatalf("the first sync of two deployments should use the bundle (bundle calls %d, yaml calls %d)", w.count("bundle"), w.count("yaml"))
	}
	// Change the parameter of A (only db gets it) and drop B.
	w.assign(deployment(depA, "", "1.0.0", "hello", "db", "api"))
	a.pollNow(t)
	if got := p.appliedNames(); !slices.Equal(got, []string{"db", "api", "one", "two", "db"}) {
		t.Fatalf("applies %v: only db should be applied again", got)
	}
	if got := p.removedNames(); !slices.Equal(got, []string{"two", "one"}) {
		t.Fatalf("removes %v, want two, one", got)
	}
	if got := states(w.reports(), depB); !slices.Equal(got[len(got)-3:], []string{"removing", "removing", "removed"}) {
		t.Fatalf("removal states %v", got)
	}
	if got := lastReport(t, w.reports(), depA); got.Status.State != "installed" {
		t.Fatalf("A after upgrade: %+v", got)
	}
	views, err := a.Deployments(context.Background())
	if err != nil || len(views) != 2 || views[1].DeploymentID != depB || views[1].State != "removed" || views[0].Components[0].Revision != "1.0.0" {
		t.Fatalf("deployments view %+v %v", views, err)
	}
}

func TestNoProviderForTypeFailsThatDeploymentOnly(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider("helm.v3", "helm")
	a := newAgent(t, w, agentOpts{workload: p})
	w.assign(deployment(depA, "compose", "1", "x", "web"), deployment(depB, "", "1.0.0", "x", "db"))
	a.pollNow(t)
	r := lastReport(t, w.reports(), depA)
	if r.Status.State != "failed" || r.Status.Error == nil || r.Status.Error.Code != CodeNoProvider ||
		!strings.Contains(r.Status.Error.Message, "no workload provider for profile type compose on this device") || r.Components[0].State != "failed" {
		t.Fatalf("compose deployment: %+v", r)
	}
	if lastReport(t, w.reports(), depB).Status.State != "installed" {
		t.Fatalf("the helm deployment was blocked: %v", states(w.reports(), depB))
	}
	// A permanent failure is not retried on every pass.
	n := len(w.reports())
	a.pollNow(t)
	a.pollNow(t)
	if len(w.reports()) != n {
		t.Fatalf("permanent failure re-reported: %v", states(w.reports(), depA))
	}
}

func TestFailedComponentIsRetriedAndDoesNotBlockOthers(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider()
	p.fail["api"] = fault.New(fault.Unavailable, "registry unreachable")
	a := newAgent(t, w, agentOpts{workload: p})
	w.assign(deployment(depA, "", "1.0.0", "x", "db", "api", "web"), deployment(depB, "", "1.0.0", "x", "one"))
	a.pollNow(t)
	r := lastReport(t, w.reports(), depA)
	if r.Status.State != "failed" || r.Components[1].Error == nil || r.Components[1].Error.Code != CodeUnavailable ||
		r.Components[0].State != "installed" || r.Components[2].State != "pending" || r.Components[2].Error.Code != CodeBlockedByFailure {
		t.Fatalf("failed deployment report %+v", r)
	}
	if lastReport(t, w.reports(), depB).Status.State != "installed" {
		t.Fatal("one deployment's failure blocked another")
	}
	errs, _ := a.Errors(context.Background(), 10)
	if len(errs) == 0 || errs[0].DeploymentID != depA || errs[0].Component != "api" {
		t.Fatalf("errors %+v", errs)
	}
	// Fixed: the retry (forced due) installs api and web, not db again.
	p.set(func(p *fakeProvider) { delete(p.fail, "api") })
	recs, _ := a.recon.records(context.Background())
	recs[depA].NextRetry = recs[depA].NextRetry.AddDate(-1, 0, 0)
	if !a.recon.save(context.Background(), recs[depA], nil, nil) {
		t.Fatal("save")
	}
	a.pollNow(t)
	if got := p.appliedNames(); !slices.Equal(got, []string{"db", "one", "api", "web"}) {
		t.Fatalf("applies %v", got)
	}
	if got := states(w.reports(), depA); got[len(got)-1] != "installed" || slices.Index(got, "installed") != len(got)-1 {
		t.Fatalf("states %v: one installed, at the end", got)
	}
	if views, _ := a.Deployments(context.Background()); views[0].Attempts != 0 || views[0].LastError != "" {
		t.Fatalf("the failed attempts were not forgotten: %+v", views[0])
	}
}

func TestRuntimeChangeRemovesTheOldComponentsFirst(t *testing.T) {
	w := newFakeWFM(t)
	helm, compose := newFakeProvider("helm.v3"), newFakeProvider("compose")
	a := newAgent(t, w, agentOpts{workloads: []workload.Provider{helm, compose}})
	w.assign(deployment(depA, "", "1.0.0", "x", "web"))
	a.pollNow(t)
	w.assign(deployment(depA, "compose", "1", "x", "web"))
	a.pollNow(t)
	if !slices.Equal(helm.removedNames(), []string{"web"}) || len(helm.installedNames()) != 0 || !slices.Equal(compose.installedNames(), []string{"web"}) {
		t.Fatalf("helm removed %v installed %v; compose installed %v", helm.removedNames(), helm.installedNames(), compose.installedNames())
	}
	if lastReport(t, w.reports(), depA).Status.State != "installed" {
		t.Fatalf("states %v", states(w.reports(), depA))
	}
}
