package signature

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/margo/digest"
)

// RFC 9421 Appendix B.1.3 test-key-ecc-p256, public half.
const rfcKeyECCP256 = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lf
w0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==
-----END PUBLIC KEY-----`

// rfcClientCert is the Client-Cert field value of RFC 9421 Appendix B.3: an
// ECDSA P-256 leaf certificate, used here also as the fixed keyid test.
const rfcClientCert = `:MIIBqDCCAU6gAwIBAgIBBzAKBggqhkjOPQQDAjA6MRswGQYDVQQKDBJMZXQncyBBdXRoZW50aWNhdGUxGzAZBgNVBAMMEkxBIEludGVybWVkaWF0ZSBDQTAeFw0yMDAxMTQyMjU1MzNaFw0yMTAxMjMyMjU1MzNaMA0xCzAJBgNVBAMMAkJDMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8YnXXfaUgmnMtOXU/IncWalRhebrXmckC8vdgJ1p5Be5F/3YC8OthxM4+k1M6aEAEFcGzkJiNy6J84y7uzo9M6NyMHAwCQYDVR0TBAIwADAfBgNVHSMEGDAWgBRm3WjLa38lbEYCuiCPct0ZaSED2DAOBgNVHQ8BAf8EBAMCBsAwEwYDVR0lBAwwCgYIKwYBBQUHAwIwHQYDVR0RAQH/BBMwEYEPYmRjQGV4YW1wbGUuY29tMAoGCCqGSM49BAMCA0gAMEUCIBHda/r1vaL6G3VliL4/Di6YK0Q6bMjeSkC3dFCOOB8TAiEAx/kHSB4urmiZ0NX5r5XarmPk0wmuydBVoU4hBVZ1yhk=:`

func rfcPublicKey(t testing.TB) any {
	t.Helper()
	block, _ := pem.Decode([]byte(rfcKeyECCP256))
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// TestRFC9421AppendixB3: the published ecdsa-p256-sha256 signature of the
// TLS-terminating proxy example verifies, and its signature base is
// rebuilt byte for byte.
func TestRFC9421AppendixB3(t *testing.T) {
	m := &Message{
		Method:    "POST",
		TargetURI: "https://service.internal.example/foo?param=Value&Pet=dog",
		Authority: "service.internal.example",
		Headers: map[string]string{
			"date":           "Tue, 20 Apr 2021 02:07:55 GMT",
			"content-type":   "application/json",
			"content-length": "18",
			"client-cert":    rfcClientCert,
		},
		Body: []byte(`{"hello": "world"}`),
	}
	const in = `ttrp=("@path" "@query" "@method" "@authority" "client-cert");created=1618884473;keyid="test-key-ecc-p256"`
	const sig = `ttrp=:xVMHVpawaAC/0SbHrKRs9i8I3eOs5RtTMGCWXm/9nvZzoHsIg6Mce9315T6xoklyy0yzhD9ah4JHRwMLOgmizw==:`
	wantBase := `"@path": /foo
"@query": ?param=Value&Pet=dog
"@method": POST
"@authority": service.internal.example
"client-cert": ` + rfcClientCert + `
"@signature-params": ("@path" "@query" "@method" "@authority" "client-cert");created=1618884473;keyid="test-key-ecc-p256"`

	sp, err := parseSigParams(mustDict(t, in)[0])
	if err != nil {
		t.Fatal(err)
	}
	base, err := signatureBase(m, sp.components, sp.serialized)
	if err != nil {
		t.Fatal(err)
	}
	if string(base) != wantBase {
		t.Fatalf("signature base =\n%s\nwant\n%s", base, wantBase)
	}
	v := &Verifier{
		Now:      func() time.Time { return time.Unix(1618884473, 0) },
		Required: []string{"@path", "@query", "@method", "@authority"},
	}
	res, err := v.Verify(m, in, sig, rfcPublicKey(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Label != "ttrp" || res.Alg != AlgECDSAP256SHA256 || res.KeyID != "test-key-ecc-p256" {
		t.Errorf("Result = %+v", res)
	}
	// The Margo default policy wants @target-uri and content-digest too.
	_, err = (&Verifier{Now: v.Now}).Verify(m, in, sig, rfcPublicKey(t))
	if err == nil {
		t.Error("Margo default policy accepted a signature without @target-uri")
	}
}

// TestRFC9421AppendixB24: the published ecdsa-p256-sha256 response
// signature verifies over its literal base (raw r||s, not DER), and the
// signed sha-512 Content-Digest matches the response body.
func TestRFC9421AppendixB24(t *testing.T) {
	const in = `sig-b24=("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"`
	const sigB64 = "wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw=="
	const contentDigest = "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:"
	base := strings.Join([]string{
		`"@status": 200`,
		`"content-type": application/json`,
		`"content-digest": ` + contentDigest,
		`"content-length": 23`,
	}, "\n") + "\n"
	sp, err := parseSigParams(mustDict(t, in)[0])
	if err != nil {
		t.Fatal(err)
	}
	base += `"@signature-params": ` + sp.serialized
	raw, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := lookupAlg(AlgECDSAP256SHA256)
	if !a.verify(rfcPublicKey(t), []byte(base), raw) {
		t.Error("RFC 9421 B.2.4 signature does not verify")
	}
	if err := digest.Verify(contentDigest, []byte(`{"message": "good dog"}`)); err != nil {
		t.Error(err)
	}
}

// TestKeyID: keyid is the lower-case hex SHA-256 of the certificate's DER
// SubjectPublicKeyInfo (value computed independently with openssl).
func TestKeyID(t *testing.T) {
	der, err := base64.StdEncoding.DecodeString(strings.Trim(rfcClientCert, ":"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	const want = "c93bd926a3e41be0502799af43521b2c2814e5bc6b6578651841d00e9dee69de"
	tests := []struct {
		name string
		got  func() (string, error)
		want string
	}{
		{"certificate", func() (string, error) { return KeyID(cert), nil }, want},
		{"public key", func() (string, error) { return KeyIDFromPublicKey(cert.PublicKey) }, want},
		{"nil certificate", func() (string, error) { return KeyID(nil), nil }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.got()
			if err != nil || got != tt.want {
				t.Fatalf("keyid = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := KeyIDFromPublicKey("not a key"); err == nil {
		t.Error("KeyIDFromPublicKey accepted a non-key")
	}
}
