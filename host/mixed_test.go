package main

// One WFM, a P1 agent and an rc.3 agent: one operator deployment by label
// reaches both, each in its own profile's documents.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// mixedApp is a compose application whose component is an oci://
// repository with a revision, so both profiles can express it.
const mixedApp = `apiVersion: v1
id: com-example-mixed
metadata:
  name: Mixed
  version: 1.0.0
  catalog:
    application: {tagline: runs on both profiles}
    organization: [{name: Example}]
deploymentProfiles:
  - type: compose
    id: mixed-compose
    components:
      - {name: web, properties: {repository: oci://registry.example/compose/web, revision: 1.0.0}}
`

// startMixedWFM is the rc.3 test WFM with a catalog (a git registry the
// test made) and a rollout manager on the operator API.
func startMixedWFM(t *testing.T) (*wfm, string) {
	t.Helper()
	dir := t.TempDir()
	repo := testserver.NewGitRepo(t, filepath.Join(dir, "git"), "apps.git")
	repo.Commit("mixed 1.0.0", map[string]string{"mixed/margo.yaml": mixedApp})
	return startRC3WFMWith(t, dir, func(doc string) string {
		doc = strings.Replace(doc, `"events": {"type": "pubsub.memory"}`, `"events": {"type": "pubsub.memory"}, "apps": {"type": "registry.git", "config": {"allowLocal": true}}`, 1)
		return strings.Replace(doc, `{"ref": "identity"}]}`, `{"ref": "identity"},
    {"name": "catalog", "type": "managers.catalog", "uses": {"state": "store", "registry": "apps", "events": "events"}},
    {"name": "rollout", "type": "managers.rollout", "uses": {"state": "store", "events": "events"}}]}`, 1)
	}), repo.URL()
}

func TestMixedProfilesOneDeploymentReachesP1AndRC3Agents(t *testing.T) {
	w, repoURL := startMixedWFM(t)
	b := w.bundle
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/registries", fmt.Sprintf(`{"name": "apps", "url": %q}`, repoURL)},
		{http.MethodPost, "/registries/apps/sync", ``},
	} {
		if code, out := w.operator(t, c.method, c.path, "application/json", []byte(c.body)); code >= 300 {
			t.Fatalf("%s %s: %d %s", c.method, c.path, code, out)
		}
	}

	// The P1 agent onboards; the rc.3 agent holds an SVID.
	p1Fleet, rc3Fleet := t.Name()+"/p1", t.Name()+"/rc3"
	for _, f := range []string{p1Fleet, rc3Fleet} {
		testFleets.Store(f, newTestWorkloads())
		t.Cleanup(func() { testFleets.Delete(f) })
	}
	p1Dir, rc3Dir := t.TempDir(), t.TempDir()
	writeCA(t, w, filepath.Join(p1Dir, "ca.pem"))
	p1 := startAgent(t, p1Dir, agentOptions{wfmURL: w.base(), caFile: filepath.Join(p1Dir, "ca.pem"), fleet: p1Fleet, deviceID: "p1-dev"})
	writeSVID(t, w, b.Anchors(), "edge-rc3", rc3Dir)
	o := agentOptions{wfmURL: w.base(), caFile: filepath.Join(rc3Dir, "svid-ca.pem"), fleet: rc3Fleet, deviceID: "rc3-dev", backoff: "500ms"}
	o.rawDoc = strings.Replace(agentDoc(rc3Dir, o), `"config": {"wfm":`, `"config": {"profile": "rc.3", "wfm":`, 1)
	o.rawDoc = strings.Replace(o.rawDoc, `"serial": "E2E-1"}`, `"serial": "E2E-1", "otelCollector": true}`, 1)
	startAgent(t, rc3Dir, o)
	var st agentStatus
	eventually(t, "the P1 agent onboarded", func() bool { p1.get(t, "/status", &st); return st.Onboarded })
	p1Client := st.ClientID

	// Label both devices, then deploy by label.
	devices := map[string]string{p1Client: "p1-dev", "edge-rc3": "rc3-dev"}
	for client, dev := range devices {
		eventually(t, dev+" reported its capabilities", func() bool {
			code, _ := w.operator(t, http.MethodGet, "/clients/"+client+"/devices/"+dev, "", nil)
			return code == 200
		})
		if code, out := w.operator(t, http.MethodPatch, "/clients/"+client+"/devices/"+dev, "application/merge-patch+json", []byte(`{"labels": {"site": "plant-9"}}`)); code != 200 {
			t.Fatalf("label %s: %d %s", dev, code, out)
		}
	}
	body := `{"id": "mixed", "application": "com-example-mixed", "target": {"selector": {"matchLabels": {"site": "plant-9"}}}}`
	code, out := w.operator(t, http.MethodPost, "/deployments", "application/json", []byte(body))
	if code != 201 {
		t.Fatalf("deploy: %d %s", code, out)
	}
	var placements struct {
		Items []struct{ ClientID, DeviceID, DeploymentID, Reason string }
	}
	code, out = w.operator(t, http.MethodGet, "/deployments/mixed/devices", "", nil)
	if err := json.Unmarshal(out, &placements); code != 200 || err != nil || len(placements.Items) != 2 {
		t.Fatalf("placements: %d %s", code, out)
	}
	for _, p := range placements.Items {
		if p.DeploymentID == "" {
			t.Fatalf("%s/%s was left out: %s", p.ClientID, p.DeviceID, p.Reason)
		}
		eventually(t, p.DeviceID+" installed", func() bool { _, s, _ := latest(t, w, p.ClientID, p.DeploymentID); return s == "installed" })
		code, doc := w.operator(t, http.MethodGet, "/clients/"+p.ClientID+"/deployments/"+p.DeploymentID+"/document", "", nil)
		if code != 200 {
			t.Fatalf("document: %d %s", code, doc)
		}
		rc3 := p.ClientID == "edge-rc3"
		if isP1 := strings.HasPrefix(string(doc), "apiVersion:"); isP1 == rc3 || rc3 != strings.HasPrefix(string(doc), "id:") {
			t.Fatalf("%s (rc.3: %v) got:\n%s", p.DeviceID, rc3, doc)
		}
	}
}
