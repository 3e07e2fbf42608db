package client

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

func testIdentity(t *testing.T) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return key, cert
}

func newTestClient(t *testing.T, srv *httptest.Server, path string, edit func(*Options)) *Client {
	t.Helper()
	key, cert := testIdentity(t)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	o := Options{BaseURL: srv.URL + path, Key: key, Certificate: cert, Roots: roots, ClientID: "c1"}
	if edit != nil {
		edit(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Some WFMs serve their CA as PEM rather than the spec's base64 of the PEM:
// every encoding is read, and the one used is reported.
func TestCAEncodings(t *testing.T) {
	var body []byte
	srv := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { _, _ = rw.Write(body) }))
	defer srv.Close()
	der := srv.Certificate().Raw
	pemCA := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	field := func(v string) []byte { b, _ := json.Marshal(map[string]string{"certificate": v}); return b }
	for _, c := range []struct {
		name, encoding string
		body           []byte
	}{
		{"spec: base64 of the PEM", CABase64PEM, field(base64.StdEncoding.EncodeToString(pemCA))},
		{"base64 of the DER", CABase64DER, field(base64.StdEncoding.EncodeToString(der))},
		{"PEM text in the field", CAPEMField, field(string(pemCA))},
		{"PEM text as the body", CAPEMBody, append([]byte("\n"), pemCA...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			body = c.body
			cert, enc, err := newTestClient(t, srv, "/api/v1", nil).CA(context.Background())
			if err != nil || enc != c.encoding || !cert.Equal(srv.Certificate()) {
				t.Fatalf("CA = %v, %q, %v; want the server's certificate as %s", cert != nil, enc, err, c.encoding)
			}
		})
	}
	body = field("not base64 and not PEM")
	if _, _, err := newTestClient(t, srv, "/api/v1", nil).CA(context.Background()); err == nil || !strings.Contains(err.Error(), "neither base64 nor PEM") {
		t.Fatalf("err = %v", err)
	}
}

func TestPrefixPathsPutsUnprefixedURLsUnderTheMount(t *testing.T) {
	var got []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.Path)
		_, _ = rw.Write([]byte("x"))
	}))
	defer srv.Close()
	d := document.DigestOf([]byte("x"))
	var logged []string
	c := newTestClient(t, srv, "/mnt/api/v1", func(o *Options) {
		o.PrefixPaths, o.OnPrefixed = true, func(from, to string) { logged = append(logged, from+" -> "+to) }
	})
	for _, ref := range []string{"/api/v1/clients/c1/deployments/a/" + d, "/clients/c1/bundles/" + d, "/mnt/api/v1/clients/c1/x", "https://" + srv.Listener.Addr().String() + "/other"} {
		if _, err := c.Fetch(context.Background(), ref, d); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"/mnt/api/v1/clients/c1/deployments/a/" + d, "/mnt/api/v1/clients/c1/bundles/" + d, "/mnt/api/v1/clients/c1/x", "/other"}
	if strings.Join(got, " ") != strings.Join(want, " ") || len(logged) != 2 {
		t.Fatalf("paths %v\nwant %v\nlogged %v", got, want, logged)
	}
	// Off (the default): RFC 3986 resolution against the host.
	got = nil
	if _, err := newTestClient(t, srv, "/mnt/api/v1", nil).Fetch(context.Background(), "/api/v1/x", d); err != nil || got[0] != "/api/v1/x" {
		t.Fatalf("default resolution %v, %v", got, err)
	}
}

func TestAlgMustFitTheKey(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	key, cert := testIdentity(t)
	if _, err := New(Options{BaseURL: srv.URL, Key: key, Certificate: cert, Alg: signature.AlgRSAV15SHA256}); err == nil || !strings.Contains(err.Error(), "ECDSA") {
		t.Fatalf("err = %v", err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var sigInput string
	rs := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		sigInput = r.Header.Get("Signature-Input")
		rw.WriteHeader(http.StatusNoContent)
	}))
	defer rs.Close()
	roots := x509.NewCertPool()
	roots.AddCert(rs.Certificate())
	c, err := New(Options{BaseURL: rs.URL + "/api/v1", Key: rsaKey, Certificate: cert, Roots: roots, ClientID: "c1", Alg: signature.AlgRSAV15SHA256})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ReportStatus(context.Background(), "d", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sigInput, `alg="rsa-v1_5-sha256"`) {
		t.Fatalf("Signature-Input %q", sigInput)
	}
}

// The manifest's ETag is a cache validator: a mismatch with the body is
// reported, not refused.
func TestManifestETagIsOpaque(t *testing.T) {
	body, _ := json.Marshal(document.Manifest{ManifestVersion: 1, Deployments: []document.DeploymentRef{}})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("ETag", `"computed-over-other-bytes"`)
		rw.Header().Set("Content-Type", document.ManifestMediaType)
		_, _ = rw.Write(body)
	}))
	defer srv.Close()
	res, err := newTestClient(t, srv, "/api/v1", nil).Manifest(context.Background(), "")
	if err != nil || !res.ETagMismatch || res.ETag != `"computed-over-other-bytes"` {
		t.Fatalf("res %+v err %v", res, err)
	}
}
