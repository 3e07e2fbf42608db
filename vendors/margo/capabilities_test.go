package margo

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
)

func TestCapabilitiesPostAndPutAre201(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	for i, method := range []string{"POST", "PUT", "PUT", "POST"} { // create, then updates
		r := do(t, d.signed(), method, w.clientURL(d)+"/capabilities/dev1", capabilities("dev1"))
		wantStatus(t, r, 201)
		wantHeader(t, r, "Content-Type", "application/json")
		if string(r.body) != `{"status":"capabilities_received"}` {
			t.Fatalf("body %s", r.body)
		}
		if got, _ := w.caps.Get(d.client.ID, "dev1"); got.Revision != uint64(i+1) {
			t.Fatalf("revision %d after %d reports", got.Revision, i+1)
		}
	}
}

func TestCapabilitiesEarliestRouteWithoutDeviceIdIs201(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	for _, method := range []string{"POST", "PUT"} {
		r := do(t, d.signed(), method, w.clientURL(d)+"/capabilities", capabilities("edge-1"))
		wantStatus(t, r, 201)
	}
	if _, ok := w.caps.Get(d.client.ID, "edge-1"); !ok {
		t.Fatal("the manager was not given the device of properties.id")
	}
}

func TestCapabilitiesHierarchicalDeviceIdIsRouted(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	wantStatus(t, do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/gw", capabilities("gw")), 201)
	wantStatus(t, do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/gw/child", capabilities("gw/child")), 201)
	wantStatus(t, do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/gw%2Fchild2", capabilities("gw/child2")), 201)
	wantStatus(t, do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/gw/child/grandchild", capabilities("gw/child/grandchild")), 201)
	for _, id := range []string{"gw", "gw/child", "gw/child2", "gw/child/grandchild"} {
		if _, ok := w.caps.Get(d.client.ID, id); !ok {
			all, _, _ := w.caps.Devices(context.Background(), "", fleet.Page{})
			t.Fatalf("device %q not reported; have %v", id, all)
		}
	}
}

func TestCapabilitiesChildBeforeGatewayIs404(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/gw/child", capabilities("gw/child"))
	wantProblem(t, r, 404, "about:blank")
}

func TestCapabilitiesViolationsAre422WithEveryError(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	body := strings.NewReplacer(`"arm64"`, `"sparc"`, `"ethernet"`, `"pigeon"`, `["oci"]`, `["containerd-direct"]`, `"helm", "compose"`, `"docker-swarm"`).Replace(string(capabilities("dev1")))
	r := do(t, d.signed(), "POST", w.clientURL(d)+"/capabilities/dev1", []byte(body))
	p := wantProblem(t, r, 422, document.ProblemSemanticError)
	for _, f := range []string{"properties.cpus[0].architecture", "properties.interfaces[0].type", "properties.supportedRuntimes[0]", "properties.supportedDeploymentTypes[0]"} {
		if !p.hasViolation(f) {
			t.Errorf("no violation at %s: %+v", f, p.Errors)
		}
	}
}

func TestCapabilitiesMissingPropertiesAre422(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	body := `{"apiVersion":"device.margo.org/v1alpha1","kind":"DeviceCapabilitiesManifest","properties":{"id":"dev1"}}`
	p := wantProblem(t, do(t, d.signed(), "POST", w.clientURL(d)+"/capabilities/dev1", []byte(body)), 422, document.ProblemSemanticError)
	if !p.hasViolation("properties.vendor") {
		t.Fatalf("violations %+v", p.Errors)
	}
}

func TestCapabilitiesBadRoleIs422(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	body := `{"apiVersion":"device.margo.org/v1alpha1","kind":"DeviceCapabilitiesManifest","properties":{"id":"dev1","vendor":"v","modelNumber":"m","serialNumber":"s",
	  "roles":["Overlord"],"resources":{"cpu":{"cores":2,"architecture":"arm64"},"memory":"1 Gi","storage":"1 Gi"}}}`
	p := wantProblem(t, do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/dev1", []byte(body)), 422, document.ProblemSemanticError)
	if !p.hasViolation("properties.roles[0]") {
		t.Fatalf("violations %+v", p.Errors)
	}
}

func TestCapabilitiesUnparseableIs400(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, d.signed(), "POST", w.clientURL(d)+"/capabilities/dev1", []byte(`{"apiVersion":`))
	wantProblem(t, r, 400, document.ProblemInvalidRequest)
}

func TestCapabilitiesPathIdMismatchIs422(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	p := wantProblem(t, do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/dev1", capabilities("dev2")), 422, document.ProblemSemanticError)
	if !p.hasViolation("properties.id") {
		t.Fatalf("violations %+v", p.Errors)
	}
}

func TestCapabilitiesManagerRefusalIs422Typed(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	w.caps.Reject = fault.New(fault.Unprocessable, "properties.id is taken")
	wantProblem(t, do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/dev1", capabilities("dev1")), 422, document.ProblemSemanticError)
}

func TestCapabilitiesNonJSONContentTypeIs415(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/dev1", capabilities("dev1"), "Content-Type", "application/xml")
	wantProblem(t, r, 415, "about:blank")
}

func TestCapabilitiesMalformedDeviceIdIs400(t *testing.T) {
	w := newVendor(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	e := endpointFor(t, w.v, "PUT", "/clients/{clientId}/capabilities/{deviceId:*}")
	for _, id := range []string{"", "gw//child", "gw/..", "./x", "gw/"} {
		path := "/api/v1/clients/" + d.client.ID + "/capabilities/" + id
		req := directRequest(t, d, "PUT", path, capabilities(id), map[string]string{"clientId": d.client.ID, "deviceId": id})
		_, err := e.Handler(context.Background(), req)
		if fe := fault.As(err); fe.Code != fault.BadRequest || fe.Type != document.ProblemInvalidRequest {
			t.Errorf("device id %q: err = %v", id, err)
		}
	}
}

func TestDeleteDeviceIs204WithoutBody(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	wantStatus(t, do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/gw", capabilities("gw")), 201)
	wantStatus(t, do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/gw/child", capabilities("gw/child")), 201)
	r := do(t, d.signed(), "DELETE", w.clientURL(d)+"/capabilities/gw/child", nil)
	wantStatus(t, r, http.StatusNoContent)
	wantNoBody(t, r)
	if _, ok := w.caps.Get(d.client.ID, "gw/child"); ok {
		t.Fatal("device still there")
	}
}

func TestDeleteUnknownDeviceIs404(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, d.signed(), "DELETE", w.clientURL(d)+"/capabilities/nope", nil)
	wantProblem(t, r, 404, "about:blank")
}

func TestDeleteDeviceUnsignedIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, httpClient(nil), "DELETE", w.clientURL(d)+"/capabilities/dev1", nil)
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
}

func TestCapabilitiesTrailingSlashIsAProblemNot201(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/", capabilities("dev1"))
	if r.StatusCode < 400 || r.Header.Get("Content-Type") != fault.ProblemContentType {
		t.Fatalf("status %d %s", r.StatusCode, r.body)
	}
}
