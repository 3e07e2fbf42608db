package sync

import (
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/margo/document"
)

func TestComponentsMapParametersToTheirTargetsOnly(t *testing.T) {
	y := []byte(`apiVersion: application.margo.org/v1alpha1
kind: ApplicationDeployment
metadata:
  annotations: {id: 0a5f8d3e-1c2b-4d6e-8f90-1a2b3c4d5e6f, applicationId: app}
  name: app-deployment
  namespace: ns
spec:
  deploymentProfile:
    type: helm.v3
    components:
      - name: db
        properties: {repository: oci://r/db, revision: 1.2.3, wait: "false"}
      - name: api
        properties: {repository: oci://r/api, revision: 2.0.0, timeout: 2m30s}
  parameters:
    poll: {value: 120, targets: [{pointer: settings.poll, components: [api, db]}]}
    url:
      value: https://idp
      targets: [{pointer: idp.url, components: [api]}, {pointer: idp.meta, components: [api]}]
    flags: {value: [a, b], targets: [{pointer: flags, components: [db]}]}
`)
	dep, err := document.ParseDeployment(y)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := components(dep, 7*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	db, api := cs[0], cs[1]
	if db.Name != "db" || db.Wait || db.Timeout != 7*time.Minute || db.Namespace != "ns" || db.Deployment != "app-deployment" || db.DeploymentID != dep.ID() {
		t.Fatalf("db %+v", db)
	}
	if len(db.Parameters) != 2 || db.Parameters["settings.poll"] != float64(120) || len(db.Parameters["flags"].([]any)) != 2 {
		t.Fatalf("db parameters %v", db.Parameters)
	}
	if !api.Wait || api.Timeout != 150*time.Second || len(api.Parameters) != 3 || api.Parameters["idp.meta"] != "https://idp" {
		t.Fatalf("api %+v", api)
	}
	// The hash follows what runs, not how long to wait for it.
	h := specHash(api)
	api.Timeout, api.Wait = time.Hour, false
	if specHash(api) != h {
		t.Fatal("timeout or wait changed the spec hash")
	}
	api.Parameters["idp.url"] = "https://other"
	if specHash(api) == h {
		t.Fatal("a parameter change kept the spec hash")
	}
	api.Parameters["idp.url"] = "https://idp"
	api.Revision = "2.0.1"
	if specHash(api) == h {
		t.Fatal("a revision change kept the spec hash")
	}
}

func TestCapabilitiesDocumentIsValidAndHonoursOverrides(t *testing.T) {
	w := newFakeWFM(t)
	a := newAgent(t, w, agentOpts{config: func(c *Config) {
		c.Device = DeviceConfig{ID: "edge-7", Vendor: "ACME", Serial: "S-1", Roles: []string{"Standalone Cluster"}, Cores: 1.5,
			Storage: "10Gi", Peripherals: []document.Peripheral{{Type: "camera"}}, Interfaces: []document.Interface{{Type: "canbus"}},
			Labels: map[string]any{"site": "lab"}}
	}})
	a.pollNow(t)
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.caps) != 1 {
		t.Fatalf("capabilities calls %d", len(w.caps))
	}
	p := w.caps[0].doc.Properties
	if w.caps[0].deviceID != "edge-7" || p.ID != "edge-7" || p.Vendor != "ACME" || p.ModelNumber != "unknown" || p.SerialNumber != "S-1" ||
		p.Roles[0] != "Standalone Cluster" || p.Resources.CPU.Cores != 1.5 || p.Resources.Storage != "10Gi" || p.Resources.Memory != "8192Mi" ||
		len(p.Resources.Peripherals) != 1 || len(p.Resources.Interfaces) != 2 {
		t.Fatalf("capabilities %+v %+v", p, p.Resources)
	}
}
