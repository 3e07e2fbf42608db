package margo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

func TestCertificateIsBase64OfCAPEMAndUnauthenticated(t *testing.T) {
	w := newWFM(t, `{}`)
	r := do(t, httpClient(nil), "GET", w.url+"/onboarding/certificate", nil)
	wantStatus(t, r, 200)
	wantHeader(t, r, "Content-Type", "application/json")
	var got struct{ Certificate string }
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	pemText, err := base64.StdEncoding.DecodeString(got.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemText)
	if block == nil || block.Type != "CERTIFICATE" || string(block.Bytes) != string(w.ob.CA.Raw) {
		t.Fatalf("certificate is not the CA's PEM: %q", pemText)
	}
}

func TestCertificateWithoutCAIs503(t *testing.T) {
	w := newWFM(t, `{}`)
	w.ob.CA = nil
	r := do(t, httpClient(nil), "GET", w.url+"/onboarding/certificate", nil)
	wantProblem(t, r, 503, "about:blank")
}

func TestOnboardingUnsignedIs201WithClientId(t *testing.T) {
	w := newWFM(t, `{}`)
	d := newDevice(t)
	r := do(t, httpClient(nil), "POST", w.url+"/onboarding", onboardingBody(d.cert))
	wantStatus(t, r, 201)
	wantHeader(t, r, "Content-Type", "application/json")
	var got struct{ ClientID string }
	if err := json.Unmarshal(r.body, &got); err != nil || got.ClientID == "" {
		t.Fatalf("body %s: %v", r.body, err)
	}
	if _, ok := w.ob.Get(got.ClientID); !ok {
		t.Fatalf("clientId %q was not issued by the manager", got.ClientID)
	}
}

func TestOnboardingWithoutContentTypeIsAccepted(t *testing.T) {
	w := newWFM(t, `{}`)
	r := do(t, httpClient(nil), "POST", w.url+"/onboarding", onboardingBody(newDevice(t).cert), "Content-Type", "<delete>")
	wantStatus(t, r, 201)
}

func TestOnboardingSignedWithTheCertificateKeyIs201(t *testing.T) {
	w := newWFM(t, `{"requireSignedOnboarding": true}`)
	d := newDevice(t)
	r := do(t, d.signed(), "POST", w.url+"/onboarding", onboardingBody(d.cert))
	wantStatus(t, r, 201)
}

func TestOnboardingSignedWithAnotherKeyIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d, other := newDevice(t), newDevice(t)
	r := do(t, other.signed(), "POST", w.url+"/onboarding", onboardingBody(d.cert))
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
	if cs, _, _ := w.ob.Clients(context.Background(), fleet.Page{}); len(cs) != 0 {
		t.Fatal("a client was onboarded")
	}
}

func TestOnboardingSignedWithForeignKeyIDIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d := newDevice(t)
	s := &signature.Signer{Key: d.key, KeyID: strings.Repeat("ab", 32)}
	r := do(t, httpClient(s), "POST", w.url+"/onboarding", onboardingBody(d.cert))
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
}

func TestOnboardingUnsignedIs401WhenSignatureRequired(t *testing.T) {
	w := newWFM(t, `{"requireSignedOnboarding": true}`)
	r := do(t, httpClient(nil), "POST", w.url+"/onboarding", onboardingBody(newDevice(t).cert))
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
}

func TestOnboardingBadRequestIs400(t *testing.T) {
	w := newWFM(t, `{}`)
	good := string(onboardingBody(newDevice(t).cert))
	cases := []struct {
		name, body, typ string
	}{
		{"missing apiVersion", strings.Replace(good, `"apiVersion":"onboarding.margo.org/v1alpha1",`, "", 1), document.ProblemInvalidRequest},
		{"empty apiVersion (a free string, but not empty)", strings.Replace(good, "onboarding.margo.org/v1alpha1", "", 1), document.ProblemInvalidRequest},
		{"apiVersion not a string", strings.Replace(good, `"onboarding.margo.org/v1alpha1"`, "7", 1), document.ProblemInvalidRequest},
		{"missing kind", strings.Replace(good, `,"kind":"OnboardingRequest"`, "", 1), document.ProblemInvalidRequest},
		{"wrong kind", strings.Replace(good, `"OnboardingRequest"`, `"Onboarding"`, 1), document.ProblemInvalidRequest},
		{"empty certificate", `{"apiVersion":"onboarding.margo.org/v1alpha1","kind":"OnboardingRequest","certificate":""}`, document.ProblemInvalidRequest},
		{"missing certificate", `{"apiVersion":"onboarding.margo.org/v1alpha1","kind":"OnboardingRequest"}`, document.ProblemInvalidRequest},
		{"malformed certificate", `{"apiVersion":"onboarding.margo.org/v1alpha1","kind":"OnboardingRequest","certificate":"bm90IGEgY2VydA=="}`, document.ProblemInvalidCertificateFormat},
		{"not JSON", `certificate please`, document.ProblemInvalidRequest},
		{"empty body", ``, document.ProblemInvalidRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.body == good {
				t.Fatal("the case does not change the request")
			}
			r := do(t, httpClient(nil), "POST", w.url+"/onboarding", []byte(c.body))
			wantProblem(t, r, 400, c.typ)
		})
	}
}

func TestOnboardingNonJSONContentTypeIs415(t *testing.T) {
	w := newWFM(t, `{}`)
	r := do(t, httpClient(nil), "POST", w.url+"/onboarding", onboardingBody(newDevice(t).cert), "Content-Type", "text/plain")
	wantProblem(t, r, 415, "about:blank")
}

func TestOnboardingBadContentDigestIs400(t *testing.T) {
	w := newWFM(t, `{}`)
	r := do(t, httpClient(nil), "POST", w.url+"/onboarding", onboardingBody(newDevice(t).cert), "Content-Digest", "sha-256=:AAAA:")
	wantProblem(t, r, 400, document.ProblemInvalidDigestHeader)
}

func TestOnboardingRefusedByPolicyIs403(t *testing.T) {
	w := newWFM(t, `{}`)
	w.ob.Refuse = fault.New(fault.Forbidden, "blocklisted")
	r := do(t, httpClient(nil), "POST", w.url+"/onboarding", onboardingBody(newDevice(t).cert))
	wantProblem(t, r, 403, document.ProblemCertificateNotTrusted)
}

func TestOnboardingUnusableCertificateIs400(t *testing.T) {
	w := newWFM(t, `{}`)
	w.ob.Refuse = fault.New(fault.BadRequest, "key too small")
	r := do(t, httpClient(nil), "POST", w.url+"/onboarding", onboardingBody(newDevice(t).cert))
	wantProblem(t, r, 400, document.ProblemInvalidCertificateFormat)
}

func TestOnboardingPendingClientGetsClientIdThen403(t *testing.T) {
	w := newWFM(t, `{}`)
	w.ob.NewState = fleet.ClientPending
	d := newDevice(t)
	r := do(t, httpClient(nil), "POST", w.url+"/onboarding", onboardingBody(d.cert))
	wantStatus(t, r, 201)
	var got struct{ ClientID string }
	_ = json.Unmarshal(r.body, &got)
	r = do(t, d.signed(), "GET", w.url+"/clients/"+got.ClientID+"/deployments", nil)
	wantProblem(t, r, 403, document.ProblemCertificateNotTrusted)
}

func TestOnboardingIsPOSTOnly(t *testing.T) {
	w := newWFM(t, `{}`)
	r := do(t, httpClient(nil), "GET", w.url+"/onboarding", nil)
	wantStatus(t, r, http.StatusMethodNotAllowed)
}
