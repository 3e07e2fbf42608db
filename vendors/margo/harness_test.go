package margo

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/signature"

	httpbinding "github.com/cadenza-edge/cadenza/bindings/http"
	"github.com/cadenza-edge/cadenza/fleet/fleettest"
)

// wfm is one vendor under test with its fake managers, served by the real
// HTTP binding on 127.0.0.1:0.
type wfm struct {
	v    *Vendor
	ob   *fleettest.Onboarding
	caps *fleettest.Capabilities
	deps *fleettest.Deployments
	url  string // http://127.0.0.1:port + prefix
}

// newWFM configures and initialises a vendor with raw config and fakes,
// then serves it through bindings.http.
func newWFM(t testing.TB, raw string) *wfm {
	t.Helper()
	w := newVendor(t, raw)
	addr := serve(t, w.v.Endpoints())
	w.url = "http://" + addr + w.v.cfg.Prefix
	return w
}

// newVendor configures and initialises a vendor without serving it.
func newVendor(t testing.TB, raw string) *wfm {
	t.Helper()
	ca, _ := newCert(t, "wfm-ca", time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	w := &wfm{v: &Vendor{}, ob: &fleettest.Onboarding{CA: ca}, caps: &fleettest.Capabilities{}, deps: &fleettest.Deployments{}}
	if err := config.DecodeModule("t.json", "vendors[0].config", []byte(raw), w.v.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	env := &module.Env{ID: ID, Logger: quietLogger(), Managers: []module.Module{w.ob, w.caps, w.deps}}
	if err := w.v.Init(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	return w
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// serve starts bindings.http with eps and returns its address.
func serve(t testing.TB, eps []endpoint.Endpoint) string {
	t.Helper()
	b := &httpbinding.Binding{}
	if err := config.DecodeModule("t.json", "bindings[0].config", []byte(`{"listen":"127.0.0.1:0"}`), b.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	if err := b.Init(context.Background(), &module.Env{ID: httpbinding.ID, Logger: quietLogger(), Endpoints: eps}); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := b.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return b.Addr().String()
}

// newCert makes a P-256 key and a self-signed certificate valid in [from, to].
func newCert(t testing.TB, cn string, from, to time.Time) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    from,
		NotAfter:     to,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// device is a Margo client: its key, certificate and (once known) client.
type device struct {
	key    *ecdsa.PrivateKey
	cert   *x509.Certificate
	client fleet.Client
}

// newDevice makes a device with a fresh key and a certificate valid now.
func newDevice(t testing.TB) *device {
	t.Helper()
	cert, key := newCert(t, "device", time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	return &device{key: key, cert: cert}
}

// enrolled returns a device already onboarded in state.
func (w *wfm) enrolled(t testing.TB, state fleet.ClientState) *device {
	t.Helper()
	d := newDevice(t)
	d.client = w.ob.Add(d.cert, state)
	return d
}

// signer signs with the device key (Margo keyid, alg from the key).
func (d *device) signer() *signature.Signer { return &signature.Signer{Key: d.key} }

// http returns a client that signs every request with s (nil: unsigned).
// It never asks for or decodes gzip on its own.
func httpClient(s *signature.Signer) *http.Client {
	base := &http.Transport{DisableCompression: true}
	if s == nil {
		return &http.Client{Transport: base}
	}
	return &http.Client{Transport: &signature.Transport{Base: base, Signer: s}}
}

// signed is the device's signing HTTP client.
func (d *device) signed() *http.Client { return httpClient(d.signer()) }

// clientURL is the device's base URL on w: {prefix}/clients/{clientId}.
func (w *wfm) clientURL(d *device) string { return w.url + "/clients/" + d.client.ID }

// reply is a response with its body read.
type reply struct {
	*http.Response
	body []byte
}

// do sends a request with headers (name, value pairs) and reads the reply.
func do(t testing.TB, c *http.Client, method, url string, body []byte, headers ...string) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "<delete>" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp, b}
}

// wantStatus fails unless r has status.
func wantStatus(t testing.TB, r reply, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.body)
	}
}

// wantHeader fails unless header name of r is exactly value.
func wantHeader(t testing.TB, r reply, name, value string) {
	t.Helper()
	if got := r.Header.Get(name); got != value {
		t.Fatalf("%s: %q, want %q", name, got, value)
	}
}

// wantProblem asserts an application/problem+json reply with status and
// type URI, and returns the problem.
func wantProblem(t testing.TB, r reply, status int, typ string) problemDoc {
	t.Helper()
	wantStatus(t, r, status)
	wantHeader(t, r, "Content-Type", fault.ProblemContentType)
	var p problemDoc
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body %q: %v", r.body, err)
	}
	if p.Type != typ || p.Status != status {
		t.Fatalf("problem type %q status %d, want %q %d (detail %q)", p.Type, p.Status, typ, status, p.Detail)
	}
	return p
}

// problemDoc is a decoded problem document.
type problemDoc struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail"`
	Errors []fault.Violation `json:"errors"`
}

// hasViolation reports whether p lists a violation at field.
func (p problemDoc) hasViolation(field string) bool {
	for _, v := range p.Errors {
		if v.Field == field {
			return true
		}
	}
	return false
}

// wantNoBody fails when r has a body.
func wantNoBody(t testing.TB, r reply) {
	t.Helper()
	if len(r.body) != 0 {
		t.Fatalf("status %d with a body: %q", r.StatusCode, r.body)
	}
}
