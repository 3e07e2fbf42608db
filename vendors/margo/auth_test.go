package margo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

func TestSignedRequestOfApprovedClientIsServed(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	wantStatus(t, do(t, d.signed(), "GET", w.clientURL(d)+"/deployments", nil), 200)
	wantStatus(t, do(t, d.signed(), "PUT", w.clientURL(d)+"/capabilities/dev1", capabilities("dev1")), 201)
}

func TestUnsignedRequestIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	for _, path := range []string{"/deployments", "/bundles/sha256:" + strings.Repeat("0", 64)} {
		r := do(t, httpClient(nil), "GET", w.clientURL(d)+path, nil)
		wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
	}
}

func TestUnsignedRequestOfUnknownClientIs401Not404(t *testing.T) {
	w := newWFM(t, `{}`)
	r := do(t, httpClient(nil), "GET", w.url+"/clients/nobody/deployments", nil)
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
	if w.ob.Lookups() != 0 {
		t.Fatal("the client was looked up before the signature headers were checked")
	}
}

func TestMalformedSignatureIs401BeforeClientLookup(t *testing.T) {
	w := newWFM(t, `{}`)
	cases := map[string][2]string{
		"input not a dictionary": {`sig1=("@method"`, `sig1=:AAAA:`},
		"input without list":     {`sig1="@method"`, `sig1=:AAAA:`},
		"signature not bytes":    {`sig1=("@method");created=1`, `sig1="AAAA"`},
		"signature not base64":   {`sig1=("@method");created=1`, `sig1=:%%%:`},
		"only input":             {`sig1=("@method");created=1`, ``},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			r := do(t, httpClient(nil), "GET", w.url+"/clients/nobody/deployments", nil, "Signature-Input", h[0], "Signature", h[1])
			wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
		})
	}
	if w.ob.Lookups() != 0 {
		t.Fatal("the client was looked up before the signature headers were checked")
	}
}

func TestUnknownClientIs404(t *testing.T) {
	w := newWFM(t, `{}`)
	d := newDevice(t) // never onboarded
	r := do(t, d.signed(), "GET", w.url+"/clients/c-unknown/deployments", nil)
	wantProblem(t, r, 404, document.ProblemInvalidClient)
	r = do(t, d.signed(), "POST", w.url+"/clients/c-unknown/capabilities/dev1", capabilities("dev1"))
	wantProblem(t, r, 404, document.ProblemInvalidClient)
}

func TestSignatureByAnotherKeyIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d, other := w.enrolled(t, fleet.ClientApproved), newDevice(t)
	s := &signature.Signer{Key: other.key, KeyID: d.client.KeyID}
	r := do(t, httpClient(s), "GET", w.clientURL(d)+"/deployments", nil)
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
}

func TestSignatureWithAnotherClientsKeyIDIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	s := &signature.Signer{Key: d.key, KeyID: strings.Repeat("0", 64)}
	r := do(t, httpClient(s), "GET", w.clientURL(d)+"/deployments", nil)
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
}

func TestSignatureOfAnotherClientsPathIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d, victim := w.enrolled(t, fleet.ClientApproved), w.enrolled(t, fleet.ClientApproved)
	r := do(t, d.signed(), "GET", w.clientURL(victim)+"/deployments", nil)
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
}

func TestSignatureOlderThanWindowIs401(t *testing.T) {
	w := newWFM(t, `{"signature": {"window": "1m"}}`)
	d := w.enrolled(t, fleet.ClientApproved)
	s := &signature.Signer{Key: d.key, Now: func() time.Time { return time.Now().Add(-2 * time.Minute) }}
	r := do(t, httpClient(s), "GET", w.clientURL(d)+"/deployments", nil)
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
}

func TestSignatureFromTheFutureBeyondSkewIs401(t *testing.T) {
	w := newWFM(t, `{"signature": {"skew": "10s"}}`)
	d := w.enrolled(t, fleet.ClientApproved)
	s := &signature.Signer{Key: d.key, Now: func() time.Time { return time.Now().Add(time.Minute) }}
	r := do(t, httpClient(s), "GET", w.clientURL(d)+"/deployments", nil)
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
}

func TestRevokedClientIs403(t *testing.T) {
	w := newWFM(t, `{}`)
	for _, state := range []fleet.ClientState{fleet.ClientRevoked, fleet.ClientRejected, fleet.ClientPending} {
		d := w.enrolled(t, state)
		r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments", nil)
		wantProblem(t, r, 403, document.ProblemCertificateNotTrusted)
	}
}

func TestExpiredCertificateIs403(t *testing.T) {
	w := newWFM(t, `{}`)
	cert, key := newCert(t, "old", time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour))
	d := &device{key: key, cert: cert, client: w.ob.Add(cert, fleet.ClientApproved)}
	r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments", nil)
	wantProblem(t, r, 403, document.ProblemCertificateNotTrusted)
}

func TestRevokedClientWithBadSignatureIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d, other := w.enrolled(t, fleet.ClientRevoked), newDevice(t)
	r := do(t, other.signed(), "GET", w.clientURL(d)+"/deployments", nil)
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
}

func TestCapabilitiesEmptyContentDigestIs400(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	empty := ""
	r := do(t, tamperedClient(d.signer(), "Content-Digest", &empty), "POST", w.clientURL(d)+"/capabilities/dev1", capabilities("dev1"))
	wantProblem(t, r, 400, document.ProblemInvalidDigestHeader)
}

func TestCapabilitiesMissingContentDigestIs400(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, tamperedClient(d.signer(), "Content-Digest", nil), "POST", w.clientURL(d)+"/capabilities/dev1", capabilities("dev1"))
	wantProblem(t, r, 400, document.ProblemInvalidDigestHeader)
}

func TestCapabilitiesWrongContentDigestIs400(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	wrong := "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:" // digest of the empty body
	r := do(t, tamperedClient(d.signer(), "Content-Digest", &wrong), "POST", w.clientURL(d)+"/capabilities/dev1", capabilities("dev1"))
	wantProblem(t, r, 400, document.ProblemInvalidDigestHeader)
}

func TestContentDigestIsCheckedBeforeSignature(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, httpClient(nil), "POST", w.clientURL(d)+"/capabilities/dev1", capabilities("dev1"))
	wantProblem(t, r, 400, document.ProblemInvalidDigestHeader)
}

func TestAuthenticatedHandlerSeesTheClient(t *testing.T) {
	w := newVendor(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	var seen fleet.Client
	h := Authenticated(w.v.auth)(func(ctx context.Context, _ *endpoint.Request) (*endpoint.Response, error) {
		seen, _ = ClientFrom(ctx)
		return nil, nil
	})
	req := directRequest(t, d, "GET", "/api/v1/clients/"+d.client.ID+"/deployments", nil, map[string]string{"clientId": d.client.ID})
	if _, err := h(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if seen.ID != d.client.ID || seen.Certificate == nil {
		t.Fatalf("handler saw %+v", seen)
	}
}

func TestAuthenticateParsesStoredPEMWhenCertificateIsNotParsed(t *testing.T) {
	w := newVendor(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	c, _ := w.ob.Get(d.client.ID)
	c.Certificate = nil
	w.ob.Put(c)
	req := directRequest(t, d, "GET", "/api/v1/clients/"+d.client.ID+"/deployments", nil, map[string]string{"clientId": d.client.ID})
	if _, err := w.v.auth.Authenticate(context.Background(), req, d.client.ID); err != nil {
		t.Fatal(err)
	}
}

func TestManagerFailureDuringLookupIsNotA404(t *testing.T) {
	w := newVendor(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	a := &SignatureAuth{Clients: failingClients{}, Verifier: w.v.verifier}
	req := directRequest(t, d, "GET", "/api/v1/clients/"+d.client.ID+"/deployments", nil, nil)
	_, err := a.Authenticate(context.Background(), req, d.client.ID)
	if fault.CodeOf(err) != fault.Unavailable {
		t.Fatalf("err = %v, want the manager's unavailable error", err)
	}
}

type failingClients struct{}

func (failingClients) Client(context.Context, string) (fleet.Client, error) {
	return fleet.Client{}, fault.New(fault.Unavailable, "store down")
}
