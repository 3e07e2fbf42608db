package identity

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet/fleettest"
	"github.com/cadenza-edge/cadenza/managers/authority"
	"github.com/cadenza-edge/cadenza/margo/miaf"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

// started returns a started manager over store, with the given siblings.
func started(t *testing.T, store state.Store, cfg string, siblings ...module.Module) *Manager {
	t.Helper()
	m := &Manager{now: time.Now}
	if err := config.DecodeModule("t.json", "m.config", []byte(cfg), m.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	env := &module.Env{ID: ID, Host: "wfm-1", Logger: slog.New(slog.DiscardHandler), Uses: map[string]module.Module{"state": store}, Managers: siblings}
	if err := m.Init(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m
}

func csrFor(t *testing.T, key crypto.Signer) *x509.CertificateRequest {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

func TestIssuedSVIDVerifiesAgainstTheBundle(t *testing.T) {
	m := started(t, memory.New(), `{"trustDomain": "plant.example", "svidValidity": "1h"}`)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	svid, err := m.IssueSVID(context.Background(), "client-7", csrFor(t, key))
	if err != nil {
		t.Fatal(err)
	}
	b, data := m.Bundle()
	again, err := miaf.ParseBundle(b.TrustDomain(), data)
	if err != nil {
		t.Fatal(err)
	}
	id, err := miaf.Verify([]*x509.Certificate{svid}, again, time.Now())
	if err != nil || id.String() != "spiffe://plant.example/margo/wfm/wfm-1/client/client-7" {
		t.Fatalf("%s %v", id, err)
	}
	if d := svid.NotAfter.Sub(svid.NotBefore); d > time.Hour+authority.IssueBackdate {
		t.Fatalf("SVID lives %s, want at most the configured hour", d)
	}
	if m.WFMIdentity().String() != "spiffe://plant.example/margo/wfm/wfm-1" {
		t.Fatalf("WFM identity %s", m.WFMIdentity())
	}
}

func TestIssueSVIDRefusesBadInput(t *testing.T) {
	m := started(t, memory.New(), `{"trustDomain": "plant.example", "wfmId": "w"}`)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	forged := csrFor(t, p256)
	forged.Signature[len(forged.Signature)-1] ^= 1
	for _, c := range []struct {
		name, client string
		csr          *x509.CertificateRequest
		code         fault.Code
	}{
		{"client id with a slash", "a/b", csrFor(t, p256), fault.Unprocessable},
		{"empty client id", "", csrFor(t, p256), fault.Unprocessable},
		{"no CSR", "c", nil, fault.BadRequest},
		{"RSA 2048 key", "c", csrFor(t, rsa2048), fault.BadRequest},
		{"CSR not signed by its key", "c", forged, fault.BadRequest},
	} {
		if _, err := m.IssueSVID(context.Background(), c.client, c.csr); !fault.Is(err, c.code) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}

// The bundle carries the P1 CA beside the trust domain CA when an
// onboarding manager is a sibling, and its sequence increases only when
// the anchors change (kept in the store across restarts and hosts).
func TestBundleAnchorsAndSequence(t *testing.T) {
	store := memory.New()
	cfg := `{"trustDomain": "plant.example"}`
	alone := started(t, store, cfg)
	b, _ := alone.Bundle()
	if len(b.Anchors()) != 1 || b.Sequence() != 1 || b.RefreshHint() != DefaultRefreshHint {
		t.Fatalf("alone: %d anchors, sequence %d", len(b.Anchors()), b.Sequence())
	}
	if again, _ := started(t, store, cfg).Bundle(); again.Sequence() != 1 || !again.Anchors()[0].Equal(b.Anchors()[0]) {
		t.Fatalf("a restart changed the bundle: sequence %d", again.Sequence())
	}
	p1, _, err := authority.Generate(authority.Spec{CommonName: "p1", Validity: 24 * time.Hour}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	with, _ := started(t, store, cfg, &fleettest.Onboarding{CA: p1.Cert}).Bundle()
	if len(with.Anchors()) != 2 || !with.Anchors()[1].Equal(p1.Cert) || with.Sequence() != 2 {
		t.Fatalf("with the P1 CA: %d anchors, sequence %d", len(with.Anchors()), with.Sequence())
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	for cfg, want := range map[string]string{
		`{}`:                               "trustDomain: required",
		`{"trustDomain": "Not A Domain!"}`: "trustDomain:",
		`{"trustDomain": "p.example", "wfmId": "a/b"}`:          "wfmId:",
		`{"trustDomain": "p.example", "svidValidity": "1m"}`:    "svidValidity:",
		`{"trustDomain": "p.example", "ca": {"cert": "c.pem"}}`: "ca:",
		`{"trustDomain": "p.example", "refreshHint": "1s"}`:     "refreshHint:",
	} {
		m := &Manager{}
		err := config.DecodeModule("t.json", "m.config", []byte(cfg), m.ConfigTarget())
		if err == nil || !strings.Contains(err.Error(), "m.config."+want) {
			t.Errorf("%s: %v, want %s", cfg, err, want)
		}
	}
}

// A rotation publishes the old and the new CA for the overlap, accepts
// SVIDs of both meanwhile, issues from the new one, and drops the old one
// once the overlap is over (each change a new bundle sequence).
func TestRotationOverlapsThenRetiresTheOldCA(t *testing.T) {
	ctx := context.Background()
	at := time.Now()
	m := started(t, memory.New(), `{"trustDomain": "plant.example", "svidValidity": "1h"}`)
	m.now = func() time.Time { return at }
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	old, err := m.IssueSVID(ctx, "c1", csrFor(t, key))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := m.Bundle()
	seq, err := m.Rotate(ctx, 30*time.Minute) // raised to one SVID lifetime
	if err != nil {
		t.Fatal(err)
	}
	during, _ := m.Bundle()
	if seq != before.Sequence()+1 || len(during.Anchors()) != 2 || !during.Anchors()[1].Equal(before.Anchors()[0]) {
		t.Fatalf("after the rotation: sequence %d (was %d), %d anchors", seq, before.Sequence(), len(during.Anchors()))
	}
	fresh, err := m.IssueSVID(ctx, "c1", csrFor(t, key))
	if err != nil || fresh.CheckSignatureFrom(during.Anchors()[0]) != nil {
		t.Fatalf("a new SVID is not from the new CA: %v", err)
	}
	for _, svid := range []*x509.Certificate{old, fresh} {
		if _, err := m.VerifyClient([]*x509.Certificate{svid}); err != nil {
			t.Fatalf("during the overlap: %v", err)
		}
	}
	at = at.Add(59 * time.Minute)
	must(t, m.Reconcile(ctx))
	if b, _ := m.Bundle(); len(b.Anchors()) != 2 {
		t.Fatal("the old CA left before its overlap ended")
	}
	at = at.Add(2 * time.Minute) // past the overlap (one SVID lifetime)
	must(t, m.Reconcile(ctx))
	after, _ := m.Bundle()
	if len(after.Anchors()) != 1 || after.Sequence() != seq+1 {
		t.Fatalf("after the overlap: %d anchors, sequence %d", len(after.Anchors()), after.Sequence())
	}
	if _, err := m.VerifyClient([]*x509.Certificate{old}); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("an SVID of the retired CA: %v", err)
	}
	ca, _, err := authority.Generate(authority.Spec{CommonName: "files", Validity: 48 * time.Hour}, time.Now())
	must(t, err)
	dir := t.TempDir()
	must(t, authority.WritePair(dir+"/ca.pem", dir+"/ca-key.pem", ca.Cert, ca.Key))
	fromFiles := started(t, memory.New(), `{"trustDomain": "plant.example", "ca": {"cert": "`+dir+`/ca.pem", "key": "`+dir+`/ca-key.pem"}}`)
	if _, err := fromFiles.Rotate(ctx, time.Hour); !fault.Is(err, fault.Conflict) {
		t.Fatalf("rotating a CA from files: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// With serverCertificate the WFM's TLS certificate is an SVID of the trust
// domain CA (the WFM's SPIFFE ID as URI SAN, the hosts as SANs), issued
// again from the new CA when the CA rotates.
func TestServerCertificateIsAnSVIDOfTheTrustDomainCA(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := `{"trustDomain": "plant.example", "wfmId": "w1", "serverCertificate": {"cert": "` + dir + `/tls.pem", "key": "` + dir + `/tls-key.pem", "hosts": ["127.0.0.1", "wfm.local"]}}`
	m := started(t, memory.New(), cfg)
	read := func() *x509.Certificate {
		pair, err := tls.LoadX509KeyPair(dir+"/tls.pem", dir+"/tls-key.pem")
		must(t, err)
		c, err := x509.ParseCertificate(pair.Certificate[0])
		must(t, err)
		return c
	}
	b, _ := m.Bundle()
	cert := read()
	if cert.CheckSignatureFrom(b.Anchors()[0]) != nil || len(cert.URIs) != 1 || cert.URIs[0].String() != "spiffe://plant.example/margo/wfm/w1" ||
		cert.VerifyHostname("wfm.local") != nil || cert.VerifyHostname("127.0.0.1") != nil {
		t.Fatalf("server certificate %v %v %v", cert.Issuer, cert.URIs, cert.DNSNames)
	}
	if _, err := m.Rotate(ctx, 0); err != nil {
		t.Fatal(err)
	}
	after, _ := m.Bundle()
	if again := read(); again.Equal(cert) || again.CheckSignatureFrom(after.Anchors()[0]) != nil {
		t.Fatal("the server certificate was not re-issued from the new CA")
	}
	bad := &Manager{}
	err := config.DecodeModule("t.json", "m.config", []byte(`{"trustDomain": "p.example", "serverCertificate": {"cert": "a", "key": "a"}}`), bad.ConfigTarget())
	if err == nil || !strings.Contains(err.Error(), "m.config.serverCertificate.") {
		t.Fatalf("config: %v", err)
	}
}
