package rollout

import (
	"context"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/eligibility"
)

// plant1 selects devices labelled site=plant-1.
func plant1() fleet.Target {
	return fleet.Target{Selector: &eligibility.LabelSelector{MatchLabels: map[string]any{"site": "plant-1"}}}
}

// fleetOfThree reports three devices at plant-1: a big edge device (helm),
// a small one (compose) and a big one not labelled tier=edge (compose),
// plus one at plant-2.
func fleetOfThree(t *testing.T, e *env) {
	e.device(t, "c1", "big", 8, "amd64", "16Gi")
	e.device(t, "c2", "small", 1, "arm64", "1Gi")
	e.device(t, "c3", "plain", 8, "amd64", "16Gi")
	e.device(t, "c4", "other", 8, "amd64", "16Gi")
	e.label(t, "c1", "big", map[string]any{"site": "plant-1", "tier": "edge"})
	e.label(t, "c2", "small", map[string]any{"site": "plant-1"})
	e.label(t, "c3", "plain", map[string]any{"site": "plant-1"})
	e.label(t, "c4", "other", map[string]any{"site": "plant-2", "tier": "edge"})
}

// placement returns the placement of client/device.
func placement(t *testing.T, m *Manager, id, client string) fleet.Placement {
	t.Helper()
	ps, _, err := m.Placements(context.Background(), id, fleet.Page{})
	must(t, err)
	for _, p := range ps {
		if p.ClientID == client {
			return p
		}
	}
	t.Fatalf("no placement of %s in %+v", client, ps)
	return fleet.Placement{}
}

// document parses a device's rendered document.
func deviceDoc(t *testing.T, e *env, p fleet.Placement) *document.ApplicationDeployment {
	t.Helper()
	b, err := e.deps.Document(context.Background(), p.ClientID, p.DeploymentID)
	must(t, err)
	d, err := document.ParseDeployment(b)
	must(t, err)
	return d
}

func TestCreateRendersOneDocumentPerDeviceWithTheFittingProfile(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	fleetOfThree(t, e)
	r, err := e.m.Create(ctx, fleet.RolloutSpec{ID: "mon", Application: "com-example-monitor",
		Parameters: map[string]any{"siteName": "plant-1", "pollFrequency": 60}, Target: plant1()})
	must(t, err)
	if r.Version != "1.0.0" || r.Generation != 1 || r.Summary == nil || r.Summary.Devices != 3 || r.Summary.Assigned != 3 || r.Summary.States["pending"] != 3 {
		t.Fatalf("created %+v summary %+v", r, r.Summary)
	}
	big, small := placement(t, e.m, "mon", "c1"), placement(t, e.m, "mon", "c2")
	if big.Profile != "monitor-helm" || small.Profile != "monitor-compose" || placement(t, e.m, "mon", "c3").Profile != "monitor-compose" {
		t.Fatalf("profiles: big %+v small %+v", big, small)
	}
	d := deviceDoc(t, e, big)
	if d.ID() != big.DeploymentID || d.Metadata.DeviceID != "big" || d.Metadata.Name != "mon" || d.Metadata.Namespace != "margo" ||
		d.ApplicationID() != "com-example-monitor" || d.Spec.DeploymentProfile.Type != "helm.v3" {
		t.Fatalf("helm document %+v", d)
	}
	if p := d.Spec.Parameters["pollFrequency"]; string(p.Value) != "60" || len(p.Targets) != 1 || p.Targets[0].Pointer != "settings.pollFrequency" {
		t.Errorf("pollFrequency rendered as %+v", p)
	}
	c := deviceDoc(t, e, small)
	props := c.Spec.DeploymentProfile.Components[0].Properties
	if c.Spec.DeploymentProfile.Type != "compose" || props.PackageLocation != "oci://registry.example/compose/monitor:1.0.0" {
		t.Errorf("compose document %+v", c.Spec.DeploymentProfile)
	}
	if p := c.Spec.Parameters["siteName"]; string(p.Value) != `"plant-1"` || p.Targets[0].Pointer != "SITE_NAME" {
		t.Errorf("siteName rendered as %+v", p)
	}
	// The device's manifest lists it.
	mv, err := e.deps.Manifest(ctx, "c2")
	must(t, err)
	if !strings.Contains(string(mv.Body), small.DeploymentID) {
		t.Errorf("c2's manifest lacks its deployment: %s", mv.Body)
	}
	// Creating again with the same id is a conflict; nothing changes.
	_, err = e.m.Create(ctx, fleet.RolloutSpec{ID: "mon", Application: "com-example-monitor", Parameters: map[string]any{"siteName": "x1"}, Target: plant1()})
	wantFault(t, err, fault.Conflict, "")
}

func TestRequestedProfileLeavesIneligibleDevicesOutWithReasons(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	fleetOfThree(t, e)
	e.device(t, "c9", "ghost", 1, "arm64", "1Gi")
	target := plant1()
	target.Devices = []fleet.DeviceRef{{ClientID: "c9", DeviceID: "ghost"}, {ClientID: "c4"}}
	r, err := e.m.Create(ctx, fleet.RolloutSpec{ID: "helm-only", Application: "com-example-monitor", Profile: "monitor-helm",
		Parameters: map[string]any{"siteName": "p1"}, Target: target})
	must(t, err)
	if r.Summary.Devices != 5 || r.Summary.Assigned != 2 || r.Summary.Ineligible != 3 {
		t.Fatalf("summary %+v", r.Summary)
	}
	// A listed device removed since is left out, with the reason, at the next pass.
	must(t, e.caps.Remove(ctx, "c9", "ghost"))
	must(t, e.m.Reconcile(ctx))
	for client, want := range map[string]string{
		"c2": "profile monitor-helm: ", "c3": "eligibilityRules[0]", "c9": "not known to the WFM",
	} {
		p := placement(t, e.m, "helm-only", client)
		if p.Eligible || p.DeploymentID != "" || !strings.Contains(p.Reason, want) {
			t.Errorf("%s: %+v, want a reason containing %q", client, p, want)
		}
	}
	if p := placement(t, e.m, "helm-only", "c4"); !p.Eligible || p.Profile != "monitor-helm" {
		t.Errorf("c4 listed by client: %+v", p)
	}
}

func TestUpdateChangesParametersKeepsImmutableOnesAndRetargets(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	fleetOfThree(t, e)
	e.createMon(t)
	before := placement(t, e.m, "mon", "c2")

	params := map[string]any{"siteName": "elsewhere", "pollFrequency": 20}
	_, err := e.m.Update(ctx, "mon", fleet.RolloutPatch{Parameters: &params})
	fe := wantFault(t, err, fault.Unprocessable, "")
	if len(fe.Violations) != 2 {
		t.Fatalf("violations %+v, want the immutable siteName and the range of pollFrequency", fe.Violations)
	}
	if after := placement(t, e.m, "mon", "c2"); after.Digest != before.Digest {
		t.Fatalf("a refused update changed the device's document")
	}

	params = map[string]any{"siteName": "plant-1", "pollFrequency": 120}
	_, err = e.m.Update(ctx, "mon", fleet.RolloutPatch{Parameters: &params, IfGeneration: 7})
	wantFault(t, err, fault.PreconditionFailed, "")
	r, err := e.m.Update(ctx, "mon", fleet.RolloutPatch{Parameters: &params, IfGeneration: 1})
	must(t, err)
	after := placement(t, e.m, "mon", "c2")
	if r.Generation != 2 || after.DeploymentID != before.DeploymentID || after.Digest == before.Digest {
		t.Fatalf("update: generation %d, placement before %+v after %+v", r.Generation, before, after)
	}
	if p := deviceDoc(t, e, after).Spec.Parameters["pollFrequency"]; string(p.Value) != "120" {
		t.Errorf("pollFrequency after update: %s", p.Value)
	}

	// Narrowing the target takes the deployment off the devices left out.
	target := fleet.Target{Devices: []fleet.DeviceRef{{ClientID: "c1", DeviceID: "big"}}}
	r, err = e.m.Update(ctx, "mon", fleet.RolloutPatch{Target: &target})
	must(t, err)
	if r.Summary.Devices != 1 {
		t.Fatalf("summary after retarget %+v", r.Summary)
	}
	d, err := e.deps.Deployment(ctx, "c2", before.DeploymentID)
	must(t, err)
	if !d.Deleted {
		t.Errorf("c2 keeps its deployment after leaving the target")
	}
}

func TestReconcileFollowsLabels(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	fleetOfThree(t, e)
	e.createMon(t)
	e.label(t, "c4", "other", map[string]any{"site": "plant-1"})
	e.label(t, "c3", "plain", map[string]any{"site": nil})
	must(t, e.m.Reconcile(ctx))
	r, err := e.m.Rollout(ctx, "mon")
	must(t, err)
	if r.Summary.Devices != 3 || placement(t, e.m, "mon", "c4").Profile != "monitor-helm" {
		t.Fatalf("after relabelling: %+v", r.Summary)
	}
	ps, _, err := e.m.Placements(ctx, "mon", fleet.Page{})
	must(t, err)
	for _, p := range ps {
		if p.ClientID == "c3" {
			t.Errorf("c3 lost its label but is still placed: %+v", p)
		}
	}
}

func TestDeleteWaitsForDevicesOrForgets(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	fleetOfThree(t, e)
	spec := fleet.RolloutSpec{ID: "mon", Application: "com-example-monitor", Parameters: map[string]any{"siteName": "plant-1"}, Target: plant1()}
	_, err := e.m.Create(ctx, spec)
	must(t, err)
	ps, _, err := e.m.Placements(ctx, "mon", fleet.Page{})
	must(t, err)

	gone, err := e.m.Delete(ctx, "mon", false)
	must(t, err)
	if gone {
		t.Fatal("gone before the devices removed anything")
	}
	r, err := e.m.Rollout(ctx, "mon")
	must(t, err)
	if !r.Deleting {
		t.Fatalf("rollout after delete: %+v", r)
	}
	_, err = e.m.Update(ctx, "mon", fleet.RolloutPatch{Version: new(string)})
	wantFault(t, err, fault.Conflict, "")
	// Each device reports removed; the next reconcile drops the rollout.
	e.reportRemoved(t, ps)
	must(t, e.m.Reconcile(ctx))
	_, err = e.m.Rollout(ctx, "mon")
	wantFault(t, err, fault.NotFound, "")

	// Forget drops everything at once.
	_, err = e.m.Create(ctx, spec)
	must(t, err)
	ps, _, _ = e.m.Placements(ctx, "mon", fleet.Page{})
	_, err = e.m.Delete(ctx, "mon", true)
	must(t, err)
	_, err = e.m.Rollout(ctx, "mon")
	wantFault(t, err, fault.NotFound, "")
	_, err = e.deps.Deployment(ctx, ps[0].ClientID, ps[0].DeploymentID)
	wantFault(t, err, fault.NotFound, "")
}

func TestCreateReportsEveryViolationAtOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	cases := []struct {
		name   string
		spec   fleet.RolloutSpec
		code   fault.Code
		fields []string
	}{
		{"no application", fleet.RolloutSpec{ID: "-bad"}, fault.Unprocessable, []string{"application", "id", "target"}},
		{"unknown application", fleet.RolloutSpec{Application: "nope", Target: plant1()}, fault.NotFound, nil},
		{"unknown version", fleet.RolloutSpec{Application: "com-example-monitor", Version: "9.9.9", Target: plant1()}, fault.NotFound, nil},
		{"everything wrong", fleet.RolloutSpec{ID: "Bad_Id", Application: "com-example-monitor", Profile: "nope", Namespace: "NS",
			Parameters: map[string]any{"pollFrequency": 5, "ghost": 1},
			Target:     fleet.Target{Devices: []fleet.DeviceRef{{ClientID: "", DeviceID: "a//b"}}, Selector: &eligibility.LabelSelector{MatchExpressions: []application.Expression{{Key: "k", Operator: "Like"}}}}},
			fault.Unprocessable, []string{"id", "namespace", "parameters.ghost", "parameters.pollFrequency", "parameters.siteName", "profile",
				"target.devices[0].clientId", "target.devices[0].deviceId", "target.selector.matchExpressions[0].operator"}},
		{"bad id", fleet.RolloutSpec{ID: "Bad_Id", Application: "com-example-monitor", Parameters: map[string]any{"siteName": "ok"}, Target: plant1()},
			fault.Unprocessable, []string{"id"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.m.Create(ctx, c.spec)
			fe := wantFault(t, err, c.code, "")
			var got []string
			for _, v := range fe.Violations {
				got = append(got, v.Field)
			}
			if strings.Join(got, " ") != strings.Join(c.fields, " ") {
				t.Errorf("violations at %v, want %v (%+v)", got, c.fields, fe.Violations)
			}
		})
	}
	rs, _, err := e.m.Rollouts(ctx, fleet.RolloutFilter{}, fleet.Page{})
	must(t, err)
	if len(rs) != 0 {
		t.Errorf("refused creations stored %+v", rs)
	}
}

func TestExplainSaysWhyPerProfile(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	fleetOfThree(t, e)
	x, err := e.m.Explain(ctx, "com-example-monitor", "", "", fleet.DeviceRef{ClientID: "c2", DeviceID: "small"})
	must(t, err)
	if x.Version != "1.0.0" || len(x.Profiles) != 2 || x.Profiles[0].Eligible || !x.Profiles[1].Eligible {
		t.Fatalf("explanation %+v", x)
	}
	var msgs []string
	for _, r := range x.Profiles[0].Reasons {
		if !r.OK {
			msgs = append(msgs, r.Check)
		}
	}
	if strings.Join(msgs, ",") != "cpu,memory,eligibilityRules[0]" {
		t.Errorf("failed checks %v", msgs)
	}
	_, err = e.m.Explain(ctx, "com-example-monitor", "", "nope", fleet.DeviceRef{ClientID: "c2", DeviceID: "small"})
	wantFault(t, err, fault.NotFound, "")
	_, err = e.m.Explain(ctx, "com-example-monitor", "", "", fleet.DeviceRef{ClientID: "c2", DeviceID: "ghost"})
	wantFault(t, err, fault.NotFound, "")
}

func TestReconcileOfAnUnchangedFleetWritesNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	fleetOfThree(t, e)
	e.createMon(t)
	before, err := e.deps.Manifest(ctx, "c1")
	must(t, err)
	must(t, e.m.Reconcile(ctx))
	after, err := e.deps.Manifest(ctx, "c1")
	must(t, err)
	if after.Version != before.Version {
		t.Fatalf("manifest version %d -> %d for an unchanged rollout", before.Version, after.Version)
	}
	// A deployment the operator removed behind the rollout's back comes back.
	p := placement(t, e.m, "mon", "c1")
	must(t, e.deps.Remove(ctx, "c1", p.DeploymentID))
	must(t, e.m.Reconcile(ctx))
	if d, err := e.deps.Deployment(ctx, "c1", p.DeploymentID); err != nil || d.Deleted {
		t.Fatalf("deployment after reconcile: %+v %v", d, err)
	}
}

func TestListFiltersByApplicationAndClient(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	fleetOfThree(t, e)
	e.createMon(t)
	_, err := e.m.Create(ctx, fleet.RolloutSpec{ID: "only-c4", Application: "com-example-monitor",
		Parameters: map[string]any{"siteName": "p2"}, Target: fleet.Target{Devices: []fleet.DeviceRef{{ClientID: "c4"}}}})
	must(t, err)
	ids := func(f fleet.RolloutFilter) (out []string) {
		rs, _, err := e.m.Rollouts(ctx, f, fleet.Page{Limit: 10})
		must(t, err)
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	for f, want := range map[fleet.RolloutFilter]string{
		{}:                                   "mon only-c4",
		{ClientID: "c4"}:                     "only-c4",
		{ClientID: "c2"}:                     "mon",
		{Application: "com-example-monitor"}: "mon only-c4",
		{Application: "other"}:               "",
		{Application: "com-example-monitor", ClientID: "c9"}: "",
	} {
		if got := strings.Join(ids(f), " "); got != want {
			t.Errorf("%+v: %q, want %q", f, got, want)
		}
	}
}

func TestTargetByCapabilities(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	fleetOfThree(t, e)
	clients := func(r fleet.Rollout) string {
		ps, _, err := e.m.Placements(ctx, r.ID, fleet.Page{})
		must(t, err)
		var out []string
		for _, p := range ps {
			out = append(out, p.ClientID)
		}
		return strings.Join(out, " ")
	}
	arm := &application.Selector{MatchExpressions: []application.Expression{{Key: "/cpus/0/architecture", Operator: application.OpIn, Values: []any{"arm64"}}}}
	r, err := e.m.Create(ctx, fleet.RolloutSpec{ID: "arm", Application: "com-example-monitor", Parameters: map[string]any{"siteName": "arm"},
		Target: fleet.Target{Capabilities: arm}})
	must(t, err)
	if got := clients(r); got != "c2" {
		t.Errorf("arm64 devices: %q", got)
	}
	big := &application.Selector{MatchExpressions: []application.Expression{{Key: "/cpus/0/cores", Operator: application.OpGt, Values: []any{4}}}}
	target := plant1()
	target.Capabilities = big
	r, err = e.m.Create(ctx, fleet.RolloutSpec{ID: "big", Application: "com-example-monitor", Parameters: map[string]any{"siteName": "big"}, Target: target})
	must(t, err)
	if got := clients(r); got != "c1 c3" {
		t.Errorf("big devices at plant-1: %q", got)
	}
	bad := &application.Selector{MatchExpressions: []application.Expression{{Key: "cpus", Operator: application.OpExists}}}
	_, err = e.m.Create(ctx, fleet.RolloutSpec{Application: "com-example-monitor", Parameters: map[string]any{"siteName": "x1"}, Target: fleet.Target{Capabilities: bad}})
	if fe := wantFault(t, err, fault.Unprocessable, ""); len(fe.Violations) != 1 || fe.Violations[0].Field != "target.capabilities.matchExpressions[0].key" {
		t.Errorf("violations %+v", fe.Violations)
	}
}

func TestPlacementsPageInClientAndDeviceOrder(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	var refs []fleet.DeviceRef
	for _, r := range []fleet.DeviceRef{{ClientID: "c1", DeviceID: "gw"}, {ClientID: "c1", DeviceID: "gw/a"}, {ClientID: "c1-x", DeviceID: "d"}, {ClientID: "c2", DeviceID: "d"}} {
		if r.DeviceID == "gw/a" {
			e.device(t, r.ClientID, "gw", 8, "amd64", "16Gi")
		}
		e.device(t, r.ClientID, r.DeviceID, 8, "amd64", "16Gi")
		refs = append(refs, r)
	}
	_, err := e.m.Create(ctx, fleet.RolloutSpec{ID: "p", Application: "com-example-monitor", Parameters: map[string]any{"siteName": "s1"},
		Target: fleet.Target{Devices: refs}})
	must(t, err)
	var seen []string
	page := fleet.Page{Limit: 1}
	for range 10 {
		ps, next, err := e.m.Placements(ctx, "p", page)
		must(t, err)
		for _, p := range ps {
			seen = append(seen, p.ClientID+" "+p.DeviceID)
		}
		if next == "" {
			break
		}
		page.After = next
	}
	if got := strings.Join(seen, ", "); got != "c1 gw, c1 gw/a, c1-x d, c2 d" {
		t.Fatalf("paged placements: %s", got)
	}
}

// Listing a client or device the WFM does not know is
// refused (422 naming every one of them), on create and when a change
// replaces the target; nothing is stored.
func TestTargetListingUnknownClientsOrDevicesIsRefused(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	fleetOfThree(t, e)
	spec := fleet.RolloutSpec{ID: "mon", Application: "com-example-monitor", Parameters: map[string]any{"siteName": "plant-1"},
		Target: fleet.Target{Devices: []fleet.DeviceRef{{ClientID: "c1", DeviceID: "big"}, {ClientID: "c1", DeviceID: "ghost"},
			{ClientID: "c9"}, {ClientID: "c8", DeviceID: "d"}, {ClientID: "c9", DeviceID: "x"}}}}
	_, err := e.m.Create(ctx, spec)
	fe := wantFault(t, err, fault.Unprocessable, "")
	for _, id := range []string{"device c1/ghost", "client c9", "client c8"} {
		if !strings.Contains(fe.Detail, id) {
			t.Errorf("detail %q does not name %s", fe.Detail, id)
		}
	}
	if strings.Contains(fe.Detail, "c1/big") || len(fe.Violations) != 4 {
		t.Errorf("detail %q, violations %+v: want the 4 unknown entries only", fe.Detail, fe.Violations)
	}
	if _, err := e.m.Rollout(ctx, "mon"); !fault.Is(err, fault.NotFound) {
		t.Fatalf("a refused deployment was stored: %v", err)
	}

	// A client alone is known once it has a device (no fleet.Onboarding
	// sibling here); a change that keeps the target is not checked again.
	spec.Target = fleet.Target{Devices: []fleet.DeviceRef{{ClientID: "c1", DeviceID: "big"}, {ClientID: "c2"}}}
	_, err = e.m.Create(ctx, spec)
	must(t, err)
	bad := fleet.Target{Devices: []fleet.DeviceRef{{ClientID: "c2", DeviceID: "gone"}}}
	_, err = e.m.Update(ctx, "mon", fleet.RolloutPatch{Target: &bad})
	if fe := wantFault(t, err, fault.Unprocessable, ""); !strings.Contains(fe.Detail, "device c2/gone") {
		t.Fatalf("update detail %q", fe.Detail)
	}
	params := map[string]any{"siteName": "plant-1", "pollFrequency": 60}
	r, err := e.m.Update(ctx, "mon", fleet.RolloutPatch{Parameters: &params})
	must(t, err)
	if r.Generation != 2 || len(r.Target.Devices) != 2 {
		t.Fatalf("after a refused retarget and a parameter change: %+v", r)
	}
}
