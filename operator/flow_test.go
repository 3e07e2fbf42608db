package operator_test

// The operator flow end to end through the typed client: a real WFM in the
// test process (bolt, TLS, signatures) with a catalog fed by a git
// registry the test creates, operator deployments by label, per-device
// ApplicationDeployment documents fetched by the devices through the device
// API, update and delete. Every answer decodes into the fleet types the
// server encoded.

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/internal/testserver"
	"github.com/cadenza-edge/cadenza/internal/wfmtest"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/eligibility"
	"github.com/cadenza-edge/cadenza/operator"
)

// monitorApp is the application the operator flow deploys.
const monitorApp = `apiVersion: v1
id: com-example-monitor
metadata:
  name: Monitor
  version: 1.0.0
  catalog:
    application: {tagline: watches things}
    organization: [{name: Example}]
deploymentProfiles:
  - type: compose
    id: monitor-compose
    components:
      - {name: monitor, properties: {repository: oci://registry.example/compose/monitor, revision: 1.0.0}}
parameters:
  pollFrequency:
    value: 30
    targets: [{pointer: POLL_FREQUENCY, components: [monitor]}]
  siteName:
    targets: [{pointer: SITE_NAME, components: [monitor]}]
configuration:
  sections:
    - name: General
      settings:
        - {parameter: pollFrequency, name: Poll frequency, schema: poll}
        - {parameter: siteName, name: Site, immutable: true, schema: site}
  schema:
    - {name: poll, dataType: integer, minValue: 30, maxValue: 360}
    - {name: site, dataType: string, minLength: 2, maxLength: 20}
`

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantStatus fails unless err is an *operator.Error with status.
func wantStatus(t *testing.T, err error, status int) *operator.Error {
	t.Helper()
	var e *operator.Error
	if !errors.As(err, &e) || e.Status != status || !e.IsProblem() {
		t.Fatalf("got %v, want a %d problem", err, status)
	}
	return e
}

func TestOperatorFlowEndToEnd(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	repo := testserver.NewGitRepo(t, filepath.Join(dir, "git"), "apps.git")
	repo.Commit("monitor 1.0.0", map[string]string{"monitor/margo.yaml": monitorApp})
	w := wfmtest.StartWFM(t, dir)
	c, err := operator.New(operator.Options{Server: w.OperatorURL(), Token: wfmtest.Token, HTTPClient: w.HTTPClient()})
	must(t, err)

	// Add the registry, sync it, list the application.
	_, err = c.AddRegistry(ctx, fleet.RegistrySpec{Name: "apps", URL: repo.URL()})
	must(t, err)
	reg, err := c.SyncRegistry(ctx, "apps")
	must(t, err)
	if reg.LastError != nil || len(reg.Packages) != 1 {
		t.Fatalf("sync: %+v", reg)
	}
	apps, err := c.Applications(ctx)
	must(t, err)
	if len(apps) != 1 || apps[0].ID != "com-example-monitor" || apps[0].Latest != "1.0.0" {
		t.Fatalf("applications %+v", apps)
	}
	ver, err := c.ApplicationVersion(ctx, "com-example-monitor", "1.0.0")
	must(t, err)
	if ver.Description == nil || len(ver.Description.Profiles) != 1 || ver.Registry != "apps" {
		t.Fatalf("version %+v", ver)
	}

	// Three devices onboard and report; two are labelled site=plant-1.
	devs := map[string]*wfmtest.Device{}
	for _, name := range []string{"edge-a", "edge-b", "edge-c"} {
		d := w.Onboarded(t)
		must(t, d.ReportCapabilities(ctx, "POST", name, wfmtest.Capabilities(name)))
		devs[d.ClientID()] = d
		if name != "edge-c" {
			dev, err := c.LabelDevice(ctx, fleet.DeviceRef{ClientID: d.ClientID(), DeviceID: name}, map[string]any{"site": "plant-1"})
			must(t, err)
			if dev.Labels["site"] != "plant-1" {
				t.Fatalf("labelled %+v", dev)
			}
		}
	}
	labelled, err := c.Devices(ctx, operator.DeviceFilter{Labels: []string{"site=plant-1"}})
	must(t, err)
	if len(labelled) != 2 {
		t.Fatalf("devices labelled site=plant-1: %+v", labelled)
	}
	plant1 := fleet.Target{Selector: &eligibility.LabelSelector{MatchLabels: map[string]any{"site": "plant-1"}}}

	// Invalid parameters are all reported at once; nothing is created.
	_, err = c.CreateDeployment(ctx, fleet.RolloutSpec{Application: "com-example-monitor",
		Parameters: map[string]any{"pollFrequency": 5, "bogus": 1}, Target: plant1})
	if e := wantStatus(t, err, 422); len(e.Problem.Errors) != 3 {
		t.Fatalf("violations %+v, want pollFrequency, bogus and the missing siteName", e.Problem.Errors)
	}

	// Deploy by label.
	r, err := c.CreateDeployment(ctx, fleet.RolloutSpec{ID: "monitor-plant1", Application: "com-example-monitor",
		Parameters: map[string]any{"siteName": "plant-1", "pollFrequency": 60}, Target: plant1})
	must(t, err)
	if r.Version != "1.0.0" || r.Summary == nil || r.Summary.Devices != 2 || r.Summary.Assigned != 2 || r.Summary.States["pending"] != 2 {
		t.Fatalf("created %+v", r)
	}

	// Each device's manifest lists its own document, which the operator sees too.
	places, err := c.Placements(ctx, "monitor-plant1")
	must(t, err)
	if len(places) != 2 {
		t.Fatalf("placements %+v", places)
	}
	for _, p := range places {
		d := devs[p.ClientID]
		m, err := d.Manifest(ctx, "")
		if err != nil || len(m.Manifest.Deployments) != 1 || m.Manifest.Deployments[0].DeploymentID != p.DeploymentID {
			t.Fatalf("manifest of %s: %+v %v", p.DeviceID, m, err)
		}
		ref := m.Manifest.Deployments[0]
		got, err := d.Fetch(ctx, ref.URL, ref.Digest)
		must(t, err)
		doc, err := c.DeploymentDocument(ctx, p.ClientID, p.DeploymentID)
		if err != nil || string(doc) != string(got) || document.DigestOf(got) != p.Digest {
			t.Fatalf("operator document of %s differs from what the device fetched (%v)", p.DeviceID, err)
		}
		ad, err := document.ParseDeployment(got)
		if err != nil || ad.Metadata.DeviceID != p.DeviceID || string(ad.Spec.Parameters["pollFrequency"].Value) != "60" ||
			ad.Spec.DeploymentProfile.Components[0].Properties.PackageLocation != "oci://registry.example/compose/monitor:1.0.0" {
			t.Fatalf("document of %s: %+v %v", p.DeviceID, ad, err)
		}
		must(t, d.ReportStatus(ctx, p.DeploymentID, wfmtest.Status(p.DeploymentID, "installed", "monitor")))
		reports, err := c.StatusReports(ctx, p.ClientID, p.DeploymentID)
		if err != nil || len(reports) != 1 || reports[0].State != document.StateInstalled {
			t.Fatalf("status reports of %s: %+v %v", p.DeviceID, reports, err)
		}
	}
	cl, err := c.GetClient(ctx, places[0].ClientID)
	must(t, err)
	if cl.LastSeen.IsZero() {
		t.Errorf("the operator does not see when the client was last seen")
	}
	r, err = c.Deployment(ctx, "monitor-plant1")
	must(t, err)
	if r.Summary.States["installed"] != 2 {
		t.Fatalf("states after reports %+v", r.Summary)
	}

	// Why edge-c is not in it: it matches no target; it is eligible though.
	var edgeC fleet.DeviceRef
	for id := range devs {
		if id != places[0].ClientID && id != places[1].ClientID {
			edgeC = fleet.DeviceRef{ClientID: id, DeviceID: "edge-c"}
		}
	}
	ex, err := c.Eligibility(ctx, "com-example-monitor", "", "", edgeC)
	must(t, err)
	if len(ex.Profiles) != 1 || !ex.Profiles[0].Eligible {
		t.Fatalf("eligibility %+v", ex)
	}

	// Update a parameter: each device gets a new document under the same id;
	// the immutable one cannot change, and a change conditioned on an older
	// generation (If-Match) is refused.
	other := map[string]any{"siteName": "other"}
	_, err = c.UpdateDeployment(ctx, "monitor-plant1", fleet.RolloutPatch{Parameters: &other})
	wantStatus(t, err, 422)
	params := map[string]any{"siteName": "plant-1", "pollFrequency": 90}
	_, err = c.UpdateDeployment(ctx, "monitor-plant1", fleet.RolloutPatch{Parameters: &params, IfGeneration: 7})
	wantStatus(t, err, http.StatusPreconditionFailed)
	params["pollFrequency"] = 120
	r, err = c.UpdateDeployment(ctx, "monitor-plant1", fleet.RolloutPatch{Parameters: &params, IfGeneration: r.Generation})
	must(t, err)
	after, err := c.Placements(ctx, "monitor-plant1")
	must(t, err)
	for i, p := range after {
		if p.DeploymentID != places[i].DeploymentID || p.Digest == places[i].Digest || p.State != document.StateInstalled {
			t.Fatalf("after update %+v, before %+v", p, places[i])
		}
		m, err := devs[p.ClientID].Manifest(ctx, "")
		if err != nil || m.Manifest.Deployments[0].Digest != p.Digest {
			t.Fatalf("manifest of %s after update: %+v %v", p.DeviceID, m, err)
		}
	}

	// Delete: the deployment leaves the manifests; once the devices report
	// it removed, the deployment is gone.
	gone, err := c.DeleteDeployment(ctx, "monitor-plant1", false)
	if err != nil || gone {
		t.Fatalf("delete: gone %v, %v", gone, err)
	}
	for _, p := range after {
		d := devs[p.ClientID]
		m, err := d.Manifest(ctx, "")
		if err != nil || len(m.Manifest.Deployments) != 0 {
			t.Fatalf("manifest of %s after delete: %+v %v", p.DeviceID, m, err)
		}
		for _, st := range []string{"removing", "removed"} {
			must(t, d.ReportStatus(ctx, p.DeploymentID, wfmtest.Status(p.DeploymentID, st, "monitor")))
		}
	}
	gone, err = c.DeleteDeployment(ctx, "monitor-plant1", false)
	if err != nil || !gone {
		t.Fatalf("delete once removed: gone %v, %v", gone, err)
	}
	_, err = c.Deployment(ctx, "monitor-plant1")
	wantStatus(t, err, 404)
}
