package main

// The operator flow end to end: a real WFM (bolt, TLS, signatures) with a
// catalog fed by a git registry the test creates, operator deployments by
// label, per-device ApplicationDeployment documents fetched by the devices
// through the device API, update and delete.

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/internal/testserver"
	"github.com/cadenza-edge/cadenza/margo/document"
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

// operatorWFMDoc is the e2e WFM config plus a git registry provider, a
// catalog and a rollout manager on the operator vendor.
func operatorWFMDoc(dir string) string {
	doc := wfmDoc(dir)
	doc = strings.Replace(doc, `"events": {"type": "pubsub.memory"}}`,
		`"events": {"type": "pubsub.memory"}, "apps": {"type": "registry.git", "config": {"allowLocal": true}}}`, 1)
	return strings.Replace(doc, `{"ref": "deployment"}]}],`, `{"ref": "deployment"},
    {"name": "catalog", "type": "managers.catalog", "uses": {"state": "store", "registry": "apps"}},
    {"name": "rollout", "type": "managers.rollout", "uses": {"state": "store"}}]}],`, 1)
}

// call sends an operator request with a JSON body and decodes the answer.
func (w *wfm) call(t *testing.T, method, path string, body any, wantCode int, out any) {
	t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	code, resp := w.operator(t, method, path, "application/json", raw)
	if code != wantCode {
		t.Fatalf("%s %s: %d %s, want %d", method, path, code, resp, wantCode)
	}
	if out != nil {
		if err := json.Unmarshal(resp, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, resp)
		}
	}
}

type placementJSON struct {
	ClientID     string `json:"clientId"`
	DeviceID     string `json:"deviceId"`
	Eligible     bool   `json:"eligible"`
	DeploymentID string `json:"deploymentId"`
	Digest       string `json:"digest"`
	State        string `json:"state"`
	Reason       string `json:"reason"`
}

func TestOperatorFlowEndToEnd(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	repo := testserver.NewGitRepo(t, filepath.Join(dir, "git"), "apps.git")
	repo.Commit("monitor 1.0.0", map[string]string{"monitor/margo.yaml": monitorApp})
	w := startWFMWith(t, dir, operatorWFMDoc(dir))

	// Add the registry, sync it, list the application.
	w.call(t, "POST", "/registries", map[string]string{"name": "apps", "url": repo.URL()}, 201, nil)
	w.call(t, "POST", "/registries/apps/sync", nil, 200, nil)
	var apps struct {
		Items []struct{ ID, Latest string } `json:"items"`
	}
	w.call(t, "GET", "/applications", nil, 200, &apps)
	if len(apps.Items) != 1 || apps.Items[0].ID != "com-example-monitor" || apps.Items[0].Latest != "1.0.0" {
		t.Fatalf("applications %+v", apps)
	}

	// Three devices onboard and report; two are labelled site=plant-1.
	devs := map[string]*device{}
	for _, name := range []string{"edge-a", "edge-b", "edge-c"} {
		d := onboarded(t, w)
		if err := d.ReportCapabilities(ctx, "POST", name, capabilities(name)); err != nil {
			t.Fatal(err)
		}
		devs[d.ClientID()] = d
		if name != "edge-c" {
			w.call(t, "PATCH", "/clients/"+d.ClientID()+"/devices/"+name, map[string]any{"labels": map[string]any{"site": "plant-1"}}, 200, nil)
		}
	}
	var labelled struct{ Items []struct{ DeviceID string } }
	w.call(t, "GET", "/devices?label=site=plant-1", nil, 200, &labelled)
	if len(labelled.Items) != 2 {
		t.Fatalf("devices labelled site=plant-1: %+v", labelled)
	}

	// Invalid parameters are all reported at once; nothing is created.
	var problem struct {
		Status int                      `json:"status"`
		Errors []struct{ Field string } `json:"errors"`
	}
	w.call(t, "POST", "/deployments", map[string]any{"application": "com-example-monitor",
		"parameters": map[string]any{"pollFrequency": 5, "bogus": 1},
		"target":     map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"site": "plant-1"}}}}, 422, &problem)
	if len(problem.Errors) != 3 {
		t.Fatalf("violations %+v, want pollFrequency, bogus and the missing siteName", problem.Errors)
	}

	// Deploy by label.
	var r struct {
		ID         string `json:"id"`
		Version    string `json:"version"`
		Generation int    `json:"generation"`
		Summary    struct {
			Devices, Assigned int
			States            map[string]int
		} `json:"summary"`
	}
	w.call(t, "POST", "/deployments", map[string]any{"id": "monitor-plant1", "application": "com-example-monitor",
		"parameters": map[string]any{"siteName": "plant-1", "pollFrequency": 60},
		"target":     map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"site": "plant-1"}}}}, 201, &r)
	if r.Version != "1.0.0" || r.Summary.Devices != 2 || r.Summary.Assigned != 2 || r.Summary.States["pending"] != 2 {
		t.Fatalf("created %+v", r)
	}

	// Each device's manifest lists its own document, which the operator sees too.
	var places struct{ Items []placementJSON }
	w.call(t, "GET", "/deployments/monitor-plant1/devices", nil, 200, &places)
	if len(places.Items) != 2 {
		t.Fatalf("placements %+v", places)
	}
	for _, p := range places.Items {
		d := devs[p.ClientID]
		m, err := d.Manifest(ctx, "")
		if err != nil || len(m.Manifest.Deployments) != 1 || m.Manifest.Deployments[0].DeploymentID != p.DeploymentID {
			t.Fatalf("manifest of %s: %+v %v", p.DeviceID, m, err)
		}
		ref := m.Manifest.Deployments[0]
		got, err := d.Fetch(ctx, ref.URL, ref.Digest)
		if err != nil {
			t.Fatal(err)
		}
		code, doc := w.operator(t, "GET", "/clients/"+p.ClientID+"/deployments/"+p.DeploymentID+"/document", "", nil)
		if code != 200 || string(doc) != string(got) || document.DigestOf(got) != p.Digest {
			t.Fatalf("operator document of %s differs from what the device fetched", p.DeviceID)
		}
		ad, err := document.ParseDeployment(got)
		if err != nil || ad.Metadata.DeviceID != p.DeviceID || string(ad.Spec.Parameters["pollFrequency"].Value) != "60" ||
			ad.Spec.DeploymentProfile.Components[0].Properties.PackageLocation != "oci://registry.example/compose/monitor:1.0.0" {
			t.Fatalf("document of %s: %+v %v", p.DeviceID, ad, err)
		}
		if err := d.ReportStatus(ctx, p.DeploymentID, status(p.DeploymentID, "installed", "monitor")); err != nil {
			t.Fatal(err)
		}
	}
	var seen struct {
		LastSeen string `json:"lastSeen"`
	}
	w.call(t, "GET", "/clients/"+places.Items[0].ClientID, nil, 200, &seen)
	if seen.LastSeen == "" {
		t.Errorf("the operator does not see when the client was last seen")
	}
	w.call(t, "GET", "/deployments/monitor-plant1", nil, 200, &r)
	if r.Summary.States["installed"] != 2 {
		t.Fatalf("states after reports %+v", r.Summary)
	}

	// Why edge-c is not in it: it matches no target; it is eligible though.
	var c string
	for id, d := range devs {
		if _, ok := map[string]bool{places.Items[0].ClientID: true, places.Items[1].ClientID: true}[id]; !ok {
			c = d.ClientID()
		}
	}
	var ex struct {
		Profiles []struct {
			Profile  string `json:"profile"`
			Eligible bool   `json:"eligible"`
		} `json:"profiles"`
	}
	w.call(t, "GET", "/eligibility?application=com-example-monitor&clientId="+c+"&deviceId=edge-c", nil, 200, &ex)
	if len(ex.Profiles) != 1 || !ex.Profiles[0].Eligible {
		t.Fatalf("eligibility %+v", ex)
	}

	// Update a parameter: each device gets a new document under the same id;
	// the immutable one cannot change.
	w.call(t, "PATCH", "/deployments/monitor-plant1", map[string]any{"parameters": map[string]any{"siteName": "other"}}, 422, nil)
	// A PATCH conditioned on an older generation (If-Match: the ETag of a GET) is refused.
	if code, body := w.operatorWith(t, "PATCH", "/deployments/monitor-plant1", map[string]string{"If-Match": `"7"`, "Content-Type": "application/json"},
		[]byte(`{"parameters":{"siteName":"plant-1","pollFrequency":90}}`)); code != 412 {
		t.Fatalf("stale If-Match: %d %s", code, body)
	}
	w.call(t, "PATCH", "/deployments/monitor-plant1", map[string]any{"parameters": map[string]any{"siteName": "plant-1", "pollFrequency": 120}}, 200, &r)
	var after struct{ Items []placementJSON }
	w.call(t, "GET", "/deployments/monitor-plant1/devices", nil, 200, &after)
	for i, p := range after.Items {
		if p.DeploymentID != places.Items[i].DeploymentID || p.Digest == places.Items[i].Digest || p.State != "installed" {
			t.Fatalf("after update %+v, before %+v", p, places.Items[i])
		}
		m, err := devs[p.ClientID].Manifest(ctx, "")
		if err != nil || m.Manifest.Deployments[0].Digest != p.Digest {
			t.Fatalf("manifest of %s after update: %+v %v", p.DeviceID, m, err)
		}
	}

	// Delete: the deployment leaves the manifests; once the devices report
	// it removed, the deployment is gone.
	w.call(t, "DELETE", "/deployments/monitor-plant1", nil, 202, nil)
	for _, p := range after.Items {
		d := devs[p.ClientID]
		m, err := d.Manifest(ctx, "")
		if err != nil || len(m.Manifest.Deployments) != 0 {
			t.Fatalf("manifest of %s after delete: %+v %v", p.DeviceID, m, err)
		}
		for _, st := range []string{"removing", "removed"} {
			if err := d.ReportStatus(ctx, p.DeploymentID, status(p.DeploymentID, st, "monitor")); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.call(t, "DELETE", "/deployments/monitor-plant1", nil, 204, nil)
	w.call(t, "GET", "/deployments/monitor-plant1", nil, 404, nil)
}
