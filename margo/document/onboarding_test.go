package document

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// selfSigned returns the DER bytes of a fresh P-256 certificate.
func selfSigned(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "device-1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func onboardingBody(t *testing.T, fields map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseOnboardingRequest_AcceptsDERAndPEM(t *testing.T) {
	der := selfSigned(t)
	pemText := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	for name, cert := range map[string]string{
		"base64 DER":          base64.StdEncoding.EncodeToString(der),
		"base64 PEM text":     base64.StdEncoding.EncodeToString(pemText),
		"unpadded base64 DER": base64.RawStdEncoding.EncodeToString(der),
	} {
		t.Run(name, func(t *testing.T) {
			req, err := ParseOnboardingRequest(onboardingBody(t, map[string]any{
				"apiVersion": OnboardingAPIVersion, "kind": OnboardingKind, "certificate": cert,
			}))
			if err != nil {
				t.Fatal(err)
			}
			if req.X509() == nil || req.X509().Subject.CommonName != "device-1" {
				t.Fatal("certificate not parsed")
			}
		})
	}
}

// The P1 conformance suite expects 400 for every onboarding problem.
func TestParseOnboardingRequest_Rejections(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(selfSigned(t))
	cases := []struct {
		name, typ, field string
		body             map[string]any
	}{
		{"apiVersion missing", ProblemInvalidRequest, "apiVersion", map[string]any{"kind": OnboardingKind, "certificate": good}},
		{"apiVersion empty", ProblemInvalidRequest, "apiVersion", map[string]any{"apiVersion": "", "kind": OnboardingKind, "certificate": good}},
		{"apiVersion not a string", ProblemInvalidRequest, "apiVersion", map[string]any{"apiVersion": 1, "kind": OnboardingKind, "certificate": good}},
		{"kind missing", ProblemInvalidRequest, "kind", map[string]any{"apiVersion": OnboardingAPIVersion, "certificate": good}},
		{"kind wrong", ProblemInvalidRequest, "kind", map[string]any{"apiVersion": OnboardingAPIVersion, "kind": "Onboarding", "certificate": good}},
		{"certificate missing", ProblemInvalidRequest, "certificate", map[string]any{"apiVersion": OnboardingAPIVersion, "kind": OnboardingKind}},
		{"certificate empty", ProblemInvalidRequest, "certificate", map[string]any{"apiVersion": OnboardingAPIVersion, "kind": OnboardingKind, "certificate": ""}},
		{"certificate not base64", ProblemInvalidCertificateFormat, "certificate", map[string]any{"apiVersion": OnboardingAPIVersion, "kind": OnboardingKind, "certificate": "%%%"}},
		{"certificate not X.509", ProblemInvalidCertificateFormat, "certificate", map[string]any{"apiVersion": OnboardingAPIVersion, "kind": OnboardingKind, "certificate": base64.StdEncoding.EncodeToString([]byte("hello"))}},
		{"certificate PEM of a key", ProblemInvalidCertificateFormat, "certificate", map[string]any{"apiVersion": OnboardingAPIVersion, "kind": OnboardingKind,
			"certificate": base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}))}},
		{"snake_case FLECS body", ProblemInvalidRequest, "certificate", map[string]any{"apiVersion": OnboardingAPIVersion, "kind": OnboardingKind, "public_certificate": good}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseOnboardingRequest(onboardingBody(t, c.body))
			vs := wantViolations(t, err, fault.BadRequest, c.typ)
			if !hasField(vs, c.field) {
				t.Fatalf("no violation at %s:%s", c.field, fields(vs))
			}
		})
	}
	_, err := ParseOnboardingRequest([]byte(`{"apiVersion":`))
	wantViolations(t, err, fault.BadRequest, ProblemInvalidRequest)
}

func TestParseOnboardingResponse(t *testing.T) {
	r, err := ParseOnboardingResponse([]byte(`{"clientId":"5f0c7c3e-2b8a-4d1e-9f6a-0c1b2d3e4f5a"}`))
	if err != nil || r.ClientID != "5f0c7c3e-2b8a-4d1e-9f6a-0c1b2d3e4f5a" {
		t.Fatalf("%v %+v", err, r)
	}
	for _, body := range []string{`{}`, `{"clientId":""}`, `{"clientId":"a/b"}`, `{"client_id":"x"}`, `{"clientId":".."}`} {
		if vs := want422(t, second(ParseOnboardingResponse([]byte(body)))); !hasField(vs, "clientId") {
			t.Errorf("%s: no violation at clientId:%s", body, fields(vs))
		}
	}
}
