package margo

import (
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
)

const depID = "a3e2f5dc-912e-494f-8395-52cf3769bc06"

func TestStatusIs200WithAcknowledgement(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	w.deps.AddDeployment(d.client.ID, depID, []byte("kind: ApplicationDeployment\n"), "web")
	for _, state := range []string{"pending", "installing", "installed"} {
		r := do(t, d.signed(), "POST", w.clientURL(d)+"/deployments/"+depID+"/status", statusDoc(depID, state, "web"))
		wantStatus(t, r, 200)
		wantHeader(t, r, "Content-Type", "application/json")
		if string(r.body) != `{"acknowledgement":"received"}` {
			t.Fatalf("body %s", r.body)
		}
	}
	if n := len(w.deps.Reported()); n != 3 {
		t.Fatalf("%d reports stored", n)
	}
}

func TestStatusWithoutEnvelopeIs200(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	w.deps.AddDeployment(d.client.ID, depID, []byte("x: 1\n"), "web")
	body := `{"deploymentId":"` + depID + `","status":{"state":"installed"},"components":[{"name":"web","state":"installed"}]}`
	wantStatus(t, do(t, d.signed(), "POST", w.clientURL(d)+"/deployments/"+depID+"/status", []byte(body)), 200)
}

func TestStatusPathBodyMismatchIs422(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	w.deps.AddDeployment(d.client.ID, depID, []byte("x: 1\n"), "web")
	other := "0f9a4c52-7d1e-4b8a-9c3f-2e6d8b1a5c70"
	r := do(t, d.signed(), "POST", w.clientURL(d)+"/deployments/"+depID+"/status", statusDoc(other, "installed", "web"))
	p := wantProblem(t, r, 422, document.ProblemSemanticError)
	if !p.hasViolation("deploymentId") {
		t.Fatalf("violations %+v", p.Errors)
	}
	if len(w.deps.Reported()) != 0 {
		t.Fatal("the report reached the manager")
	}
}

func TestStatusBadStateIs422(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	w.deps.AddDeployment(d.client.ID, depID, []byte("x: 1\n"), "web")
	for _, state := range []string{"Installed", "running", ""} {
		r := do(t, d.signed(), "POST", w.clientURL(d)+"/deployments/"+depID+"/status", statusDoc(depID, state, "web"))
		p := wantProblem(t, r, 422, document.ProblemSemanticError)
		if !p.hasViolation("status.state") {
			t.Fatalf("state %q: violations %+v", state, p.Errors)
		}
	}
}

func TestStatusMissingComponentNameIs422(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	w.deps.AddDeployment(d.client.ID, depID, []byte("x: 1\n"), "web")
	body := strings.Replace(string(statusDoc(depID, "installed", "web")), `"name":"web",`, "", 1)
	p := wantProblem(t, do(t, d.signed(), "POST", w.clientURL(d)+"/deployments/"+depID+"/status", []byte(body)), 422, document.ProblemSemanticError)
	if !p.hasViolation("components[0].name") {
		t.Fatalf("violations %+v", p.Errors)
	}
}

func TestStatusComponentsNotOfTheDeploymentAre422(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	w.deps.AddDeployment(d.client.ID, depID, []byte("x: 1\n"), "web", "db")
	r := do(t, d.signed(), "POST", w.clientURL(d)+"/deployments/"+depID+"/status", statusDoc(depID, "installed", "cache"))
	p := wantProblem(t, r, 422, document.ProblemSemanticError)
	if !p.hasViolation("components") || !p.hasViolation("components[0].name") {
		t.Fatalf("violations %+v", p.Errors)
	}
}

func TestStatusUnknownDeploymentIs404(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, d.signed(), "POST", w.clientURL(d)+"/deployments/"+depID+"/status", statusDoc(depID, "installed", "web"))
	wantProblem(t, r, 404, document.ProblemDeploymentNotFound)
}

func TestStatusUnparseableIs400(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, d.signed(), "POST", w.clientURL(d)+"/deployments/"+depID+"/status", []byte(`{"deploymentId":`))
	wantProblem(t, r, 400, document.ProblemInvalidRequest)
}

func TestStatusMissingContentDigestIs400(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, tamperedClient(d.signer(), "Content-Digest", nil), "POST", w.clientURL(d)+"/deployments/"+depID+"/status", statusDoc(depID, "installed", "web"))
	wantProblem(t, r, 400, document.ProblemInvalidDigestHeader)
}

func TestStatusUnsignedIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	body := statusDoc(depID, "installed", "web")
	r := do(t, httpClient(nil), "POST", w.clientURL(d)+"/deployments/"+depID+"/status", body, "Content-Digest", contentDigest(body))
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
}
