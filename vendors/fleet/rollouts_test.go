package fleet

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/rollout"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

// helloApp is a catalog application with one compose profile any device fits.
const helloApp = `apiVersion: v1
id: hello
metadata:
  name: Hello
  version: 1.0.0
  catalog:
    application: {tagline: greets}
    organization: [{name: Example}]
deploymentProfiles:
  - type: compose
    id: hello-compose
    components:
      - {name: web, properties: {repository: oci://registry.example/compose/hello, revision: 1.0.0}}
`

// newRolloutAPI is the operator API with a catalog holding helloApp and a
// real rollout manager over the fleet fakes.
func newRolloutAPI(t *testing.T) *api {
	t.Helper()
	desc, err := application.Parse([]byte(helloApp))
	if err != nil {
		t.Fatal(err)
	}
	cat := newFakeCatalog()
	cat.versions[desc.ID+"@"+desc.Version] = &fleet.ApplicationVersion{ID: desc.ID, Version: desc.Version, Registry: "apps", Description: desc}
	m := &rollout.Manager{}
	a := newAPIWith(t, `{"tokens":["`+token+`"]}`, cat, m)
	if err := config.DecodeModule("t.json", "m.config", []byte(`{}`), m.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	env := &module.Env{ID: rollout.ID, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Uses: map[string]module.Module{"state": memory.New()}, Managers: []module.Module{a.ob, a.caps, a.deps, cat}}
	if err := m.Init(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	return a
}

// A deployment whose target lists a client or a device the WFM does not
// know is refused with 422, its detail naming every unknown id, and nothing
// is created; replacing a deployment's target with unknown devices is
// refused the same way, and 404 stays for a deployment that does not exist.
func TestDeploymentTargetingUnknownClientsOrDevicesIs422NamingEach(t *testing.T) {
	a := newRolloutAPI(t)
	a.addClient("c1", fleet.ClientApproved)
	a.addClient("c2", fleet.ClientApproved) // onboarded, no device reported yet
	a.addDevice("c1", "d1")
	body := func(devices ...fleet.DeviceRef) []byte {
		b, _ := json.Marshal(fleet.RolloutSpec{ID: "hello-1", Application: "hello", Target: fleet.Target{Devices: devices}})
		return b
	}

	p := wantProblem(t, call(t, "POST", a.url+"/deployments", body(
		fleet.DeviceRef{ClientID: "c1", DeviceID: "d1"}, fleet.DeviceRef{ClientID: "c1", DeviceID: "ghost"},
		fleet.DeviceRef{ClientID: "nope"}, fleet.DeviceRef{ClientID: "gone", DeviceID: "d9"})), 422)
	for _, id := range []string{"device c1/ghost", "client nope", "client gone"} {
		if !strings.Contains(p.Detail, id) {
			t.Errorf("detail %q does not name %s", p.Detail, id)
		}
	}
	if strings.Contains(p.Detail, "c1/d1") || len(p.Errors) != 3 {
		t.Errorf("detail %q, errors %+v: want the 3 unknown entries only", p.Detail, p.Errors)
	}
	wantProblem(t, call(t, "GET", a.url+"/deployments/hello-1", nil), 404)

	// Known ones: a device that reported, a client alone that is onboarded.
	want(t, call(t, "POST", a.url+"/deployments", body(fleet.DeviceRef{ClientID: "c1", DeviceID: "d1"}, fleet.DeviceRef{ClientID: "c2"})), 201, nil)

	patch := []byte(`{"target": {"devices": [{"clientId": "c1", "deviceId": "d1"}, {"clientId": "c3", "deviceId": "x"}]}}`)
	p = wantProblem(t, call(t, "PATCH", a.url+"/deployments/hello-1", patch), 422)
	if !strings.Contains(p.Detail, "client c3") || len(p.Errors) != 1 || p.Errors[0].Field != "target.devices[1].clientId" {
		t.Errorf("update: detail %q, errors %+v", p.Detail, p.Errors)
	}
	wantProblem(t, call(t, "PATCH", a.url+"/deployments/nope", patch), 404)
	var r fleet.Rollout
	want(t, call(t, "GET", a.url+"/deployments/hello-1", nil), 200, &r)
	if r.Generation != 1 || len(r.Target.Devices) != 2 {
		t.Fatalf("a refused update changed the deployment: %+v", r)
	}
}
