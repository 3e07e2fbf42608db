package operator_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/cadenza-edge/cadenza/internal/wfmtest"
	"github.com/cadenza-edge/cadenza/margo/miaf"
	"github.com/cadenza-edge/cadenza/operator"
)

// identityWFM starts the WFM of wfmtest.IdentityDoc and trusts its CA.
func identityWFM(t *testing.T) *wfmtest.WFM {
	t.Helper()
	dir := t.TempDir()
	return wfmtest.StartWFMWith(t, dir, wfmtest.IdentityDoc(t, dir))
}

// csrPEM is a PEM certificate signing request of a new key of the given kind.
func csrPEM(t *testing.T, rsaKey bool) (any, []byte) {
	t.Helper()
	var key any
	var err error
	if rsaKey {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	must(t, err)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "edge"}}, key)
	must(t, err)
	return key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// The rc.3 calls against a real WFM running a managers.identity: the
// trust bundle through the discovery document, an SVID of the client asked
// for that verifies against it, and the problems of a bad CSR (400) and of
// a client id that cannot be a SPIFFE ID segment (422).
func TestIssueSVIDVerifiesAgainstTheTrustBundle(t *testing.T) {
	ctx := context.Background()
	w := identityWFM(t)
	c, err := operator.New(operator.Options{Server: w.OperatorURL(), Token: wfmtest.Token, HTTPClient: w.HTTPClient()})
	must(t, err)

	bundle, err := c.TrustBundle(ctx)
	must(t, err)
	if bundle.TrustDomain().Name() != "plant.example" || len(bundle.Anchors()) != 2 {
		t.Fatalf("bundle of %s with %d anchors, want plant.example with the trust domain CA and the P1 CA", bundle.TrustDomain(), len(bundle.Anchors()))
	}
	p1 := false
	for _, a := range bundle.Anchors() {
		if _, err := a.Verify(x509.VerifyOptions{Roots: w.Roots}); err == nil {
			p1 = true
		}
	}
	if !p1 {
		t.Fatal("the P1 CA (the issuer of the WFM's TLS certificate) is not an anchor of the bundle")
	}

	key, csr := csrPEM(t, false)
	svidPEM, err := c.IssueSVID(ctx, "edge-7", csr)
	must(t, err)
	block, _ := pem.Decode(svidPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("the SVID is not PEM:\n%s", svidPEM)
	}
	svid, err := x509.ParseCertificate(block.Bytes)
	must(t, err)
	id, err := miaf.Verify([]*x509.Certificate{svid}, bundle, time.Now())
	if err != nil || id.String() != "spiffe://plant.example/margo/wfm/wfm-e2e/client/edge-7" {
		t.Fatalf("SVID of %s: %v", id, err)
	}
	if !svid.PublicKey.(*ecdsa.PublicKey).Equal(&key.(*ecdsa.PrivateKey).PublicKey) {
		t.Fatal("the SVID does not certify the CSR's key")
	}

	_, rsaCSR := csrPEM(t, true)
	for _, tc := range []struct {
		name, client string
		csr          []byte
		status       int
		detail       string
	}{
		{"a CSR that is not PEM is a bad request", "edge-8", []byte("not a CSR"), http.StatusBadRequest, "PEM CERTIFICATE REQUEST"},
		{"an RSA 2048 key is a bad request", "edge-8", rsaCSR, http.StatusBadRequest, "key is not allowed"},
		{"a client id with a space cannot be a SPIFFE ID segment", "edge 8", csr, http.StatusUnprocessableEntity, `client id "edge 8"`},
		{"a client id of dot-dot cannot be a SPIFFE ID segment", "..", csr, http.StatusUnprocessableEntity, `client id ".."`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.IssueSVID(ctx, tc.client, tc.csr)
			if e := wantStatus(t, err, tc.status); e.Method != http.MethodPost || !strings.Contains(e.Problem.Detail, tc.detail) {
				t.Fatalf("error %+v, want a detail naming %q", e, tc.detail)
			}
		})
	}
	if _, err := c.IssueSVID(ctx, "", csr); err == nil {
		t.Fatal("an SVID without a client id was asked for")
	}
}

// A WFM without a managers.identity serves neither the SVID route nor the
// identity service: both are 404 problems.
func TestIdentityRoutesAreAbsentWithoutAnIdentityManager(t *testing.T) {
	ctx := context.Background()
	w := wfmtest.StartWFM(t, t.TempDir())
	c, err := operator.New(operator.Options{Server: w.OperatorURL(), Token: wfmtest.Token, HTTPClient: w.HTTPClient()})
	must(t, err)
	_, csr := csrPEM(t, false)
	_, err = c.IssueSVID(ctx, "edge-7", csr)
	if e := wantStatus(t, err, http.StatusNotFound); e.Path != "/clients/edge-7/svid" {
		t.Fatalf("error %+v", e)
	}
	_, err = c.TrustBundle(ctx)
	if e := wantStatus(t, err, http.StatusNotFound); e.Method != http.MethodGet || e.Path != w.URL+miaf.DiscoveryPath {
		t.Fatalf("error %+v", e)
	}
}

// TrustBundle reads the discovery document and the bundle from the
// server's root, whatever the operator API's prefix, follows a bundle URI
// that is a path, sends no token to these public documents, and refuses a
// bundle without anchors.
func TestTrustBundleIsReadFromTheServersRoot(t *testing.T) {
	td := spiffeid.RequireTrustDomainFromString("plant.example")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "td CA"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	anchor, err := x509.ParseCertificate(der)
	must(t, err)
	good, err := miaf.NewBundle(td, 3, time.Minute, []*x509.Certificate{anchor}).Marshal()
	must(t, err)

	var (
		mu   sync.Mutex
		seen []string
	)
	bundle := good
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization"))
		body := bundle
		mu.Unlock()
		switch r.URL.Path {
		case "/.well-known/margo":
			_, _ = w.Write([]byte(`{"trustDomain":"plant.example","trustBundleUri":"/keys/bundle.json"}`))
		case "/keys/bundle.json":
			_, _ = w.Write(body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := operator.New(operator.Options{Server: srv.URL + "/ops/fleet/v1", Token: "secret", HTTPClient: srv.Client()})
	must(t, err)

	b, err := c.TrustBundle(context.Background())
	must(t, err)
	if b.TrustDomain() != td || len(b.Anchors()) != 1 || !b.Anchors()[0].Equal(anchor) || b.Sequence() != 3 {
		t.Fatalf("bundle of %s, %d anchors, sequence %d", b.TrustDomain(), len(b.Anchors()), b.Sequence())
	}
	mu.Lock()
	got := strings.Join(seen, "\n")
	bundle = []byte(`{"keys":[],"spiffe_sequence":4}`)
	mu.Unlock()
	if want := "GET /.well-known/margo auth=\nGET /keys/bundle.json auth="; got != want {
		t.Fatalf("requests:\n%s\nwant:\n%s", got, want)
	}
	if _, err := c.TrustBundle(context.Background()); err == nil || !strings.Contains(err.Error(), "no X.509 anchor") {
		t.Fatalf("a bundle without anchors: %v", err)
	}
}
