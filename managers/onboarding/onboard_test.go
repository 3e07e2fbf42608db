package onboarding

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
	"github.com/google/uuid"
)

func TestOnboardReturnsApprovedUUIDv4Client(t *testing.T) {
	m := newManager(t, memory.New(), "")
	is := newIssuer(t)
	key := mustP256(t)
	cert := is.issue(t, certSpec{key: key, cn: "gateway-7"})
	c, err := m.Onboard(context.Background(), cert)
	if err != nil {
		t.Fatal(err)
	}
	u, err := uuid.Parse(c.ID)
	if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 || u.String() != c.ID {
		t.Fatalf("client id %q is not a canonical UUIDv4 (%v)", c.ID, err)
	}
	switch {
	case c.State != fleet.ClientApproved:
		t.Errorf("state = %s, want approved", c.State)
	case c.KeyID != keyID(t, key):
		t.Errorf("keyId = %s, want %s", c.KeyID, keyID(t, key))
	case c.Subject != "CN=gateway-7":
		t.Errorf("subject = %q", c.Subject)
	case !c.NotAfter.Equal(cert.NotAfter):
		t.Errorf("notAfter = %s, want %s", c.NotAfter, cert.NotAfter)
	case c.Certificate == nil || !c.Certificate.Equal(cert):
		t.Error("the returned certificate is not the onboarded one")
	case c.Created.IsZero() || !c.Updated.Equal(c.Created):
		t.Errorf("created %s updated %s", c.Created, c.Updated)
	}
	got, err := m.Client(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != c.ID || got.State != c.State || !got.Certificate.Equal(cert) || !got.Created.Equal(c.Created) {
		t.Fatalf("Client = %+v, want %+v", got, c)
	}
}

func TestOnboardSameKeyReturnsSameClient(t *testing.T) {
	m := newManager(t, memory.New(), "")
	is := newIssuer(t)
	key := mustP256(t)
	cert := is.issue(t, certSpec{key: key})
	first, err := m.Onboard(context.Background(), cert)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cert *x509.Certificate
	}{
		{"same certificate", cert},
		{"another certificate for the same key", is.issue(t, certSpec{key: key, cn: "renamed"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			again, err := m.Onboard(context.Background(), tc.cert)
			if err != nil {
				t.Fatal(err)
			}
			if again.ID != first.ID || again.Subject != first.Subject || !again.Certificate.Equal(cert) {
				t.Fatalf("got client %s (%s), want the first one %s (%s), unchanged", again.ID, again.Subject, first.ID, first.Subject)
			}
		})
	}
	if n := countClients(t, m); n != 1 {
		t.Fatalf("%d clients, want 1", n)
	}
}

func TestOnboardExistingClientKeepsItsState(t *testing.T) {
	m := newManager(t, memory.New(), "")
	cert := newIssuer(t).issue(t, certSpec{})
	c, err := m.Onboard(context.Background(), cert)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.SetState(context.Background(), c.ID, fleet.ClientRevoked); err != nil {
		t.Fatal(err)
	}
	again, err := m.Onboard(context.Background(), cert)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != c.ID || again.State != fleet.ClientRevoked {
		t.Fatalf("re-onboarding a revoked client gave %s %s, want %s revoked", again.ID, again.State, c.ID)
	}
}

func TestOnboardRejectsBadCertificates(t *testing.T) {
	m := newManager(t, memory.New(), `{"policy": {"requireEndEntity": true}}`)
	is := newIssuer(t)
	now := time.Now()
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	modified := func(f func(*x509.Certificate)) func() *x509.Certificate {
		return func() *x509.Certificate {
			c := *is.issue(t, certSpec{})
			f(&c)
			return &c
		}
	}
	for _, tc := range []struct {
		name string
		cert func() *x509.Certificate
		want string
	}{
		{"no certificate", func() *x509.Certificate { return nil }, "no certificate"},
		{"expired", func() *x509.Certificate {
			return is.issue(t, certSpec{notBefore: now.Add(-48 * time.Hour), notAfter: now.Add(-time.Hour)})
		}, "expired"},
		{"not yet valid", func() *x509.Certificate {
			return is.issue(t, certSpec{notBefore: now.Add(time.Hour), notAfter: now.Add(48 * time.Hour)})
		}, "not valid before"},
		{"CA certificate", func() *x509.Certificate { return is.issue(t, certSpec{isCA: true}) }, "CA certificate"},
		{"certificate-signing key usage", modified(func(c *x509.Certificate) { c.KeyUsage |= x509.KeyUsageCertSign }), "signing certificates"},
		{"RSA 1024", func() *x509.Certificate { return is.issue(t, certSpec{key: rsa1024}) }, "1024 bits"},
		{"P-224 key", func() *x509.Certificate { return is.issue(t, certSpec{key: p224}) }, "P-224"},
		{"P-521 key", func() *x509.Certificate { return is.issue(t, certSpec{key: p521}) }, "P-521"},
		{"version 1", modified(func(c *x509.Certificate) { c.Version = 1 }), "version 1"},
		{"empty SubjectPublicKeyInfo", modified(func(c *x509.Certificate) { c.RawSubjectPublicKeyInfo = nil }), "empty SubjectPublicKeyInfo"},
		{"unknown key algorithm", modified(func(c *x509.Certificate) {
			c.PublicKey, c.PublicKeyAlgorithm = nil, x509.UnknownPublicKeyAlgorithm
		}), "not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Onboard(context.Background(), tc.cert())
			fe := wantFault(t, err, fault.BadRequest, document.ProblemInvalidCertificateFormat)
			if !strings.Contains(fe.Detail, tc.want) {
				t.Fatalf("detail %q does not say %q", fe.Detail, tc.want)
			}
			if len(fe.Violations) != 1 || fe.Violations[0].Field != "certificate" {
				t.Fatalf("violations = %+v", fe.Violations)
			}
		})
	}
	if n := countClients(t, m); n != 0 {
		t.Fatalf("%d clients stored for refused certificates", n)
	}
}

func TestOnboardAcceptsEveryAllowedKeyType(t *testing.T) {
	m := newManager(t, memory.New(), "")
	is := newIssuer(t)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Now()
	for _, tc := range []struct {
		name string
		spec certSpec
	}{
		{"P-256", certSpec{}},
		{"P-384", certSpec{key: p384}},
		{"RSA 2048", certSpec{key: rsa2048}},
		{"Ed25519", certSpec{key: ed}},
		{"NotBefore within the clock skew", certSpec{notBefore: now.Add(4 * time.Minute)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := m.Onboard(context.Background(), is.issue(t, tc.spec)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOnboardPolicy(t *testing.T) {
	is := newIssuer(t)
	listed, other := mustP256(t), mustP256(t)
	id := keyID(t, listed)
	for _, tc := range []struct {
		name  string
		cfg   string
		key   crypto.Signer
		code  fault.Code // "" = accepted
		state fleet.ClientState
	}{
		{"auto approves", `{}`, other, "", fleet.ClientApproved},
		{"deny refuses in auto", `{"policy": {"deny": ["%s"]}}`, listed, fault.Forbidden, ""},
		{"deny refuses in manual", `{"policy": {"mode": "manual", "deny": ["%s"]}}`, listed, fault.Forbidden, ""},
		{"deny spares other keys", `{"policy": {"deny": ["%s"]}}`, other, "", fleet.ClientApproved},
		{"deny matches upper-case keyids", `{"policy": {"deny": ["` + strings.ToUpper(id) + `"]}}`, listed, fault.Forbidden, ""},
		{"allowlist approves a listed key", `{"policy": {"mode": "allowlist", "allow": ["%s"]}}`, listed, "", fleet.ClientApproved},
		{"allowlist refuses an unlisted key", `{"policy": {"mode": "allowlist", "allow": ["%s"]}}`, other, fault.Forbidden, ""},
		{"allowlist with an empty list refuses all", `{"policy": {"mode": "allowlist"}}`, listed, fault.Forbidden, ""},
		{"manual makes new clients pending", `{"policy": {"mode": "manual"}}`, other, "", fleet.ClientPending},
		{"manual approves allowed keys at once", `{"policy": {"mode": "manual", "allow": ["%s"]}}`, listed, "", fleet.ClientApproved},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			if strings.Contains(cfg, "%s") {
				cfg = fmt.Sprintf(cfg, id)
			}
			m := newManager(t, memory.New(), cfg)
			c, err := m.Onboard(context.Background(), is.issue(t, certSpec{key: tc.key}))
			if tc.code != "" {
				wantFault(t, err, tc.code, document.ProblemCertificateNotTrusted)
				if n := countClients(t, m); n != 0 {
					t.Fatalf("%d clients stored for a refused key", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.State != tc.state {
				t.Fatalf("state = %s, want %s", c.State, tc.state)
			}
		})
	}
}

func TestOnboardManualPendingThenApproved(t *testing.T) {
	m := newManager(t, memory.New(), `{"policy": {"mode": "manual"}}`)
	cert := newIssuer(t).issue(t, certSpec{})
	c, err := m.Onboard(context.Background(), cert)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != fleet.ClientPending {
		t.Fatalf("state = %s, want pending", c.State)
	}
	if _, err := m.SetState(context.Background(), c.ID, fleet.ClientApproved); err != nil {
		t.Fatal(err)
	}
	for name, get := range map[string]func() (fleet.Client, error){
		"Client":  func() (fleet.Client, error) { return m.Client(context.Background(), c.ID) },
		"Onboard": func() (fleet.Client, error) { return m.Onboard(context.Background(), cert) },
	} {
		got, err := get()
		if err != nil || got.State != fleet.ClientApproved || got.ID != c.ID {
			t.Fatalf("%s after approval = %s %s, %v; want %s approved", name, got.ID, got.State, err, c.ID)
		}
	}
}

func TestOnboardConcurrentSameCertificateMakesOneClient(t *testing.T) {
	m := newManager(t, memory.New(), "")
	cert := newIssuer(t).issue(t, certSpec{})
	const n = 8
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			c, err := m.Onboard(context.Background(), cert)
			ids[i], errs[i] = c.ID, err
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("goroutine %d got client %s, goroutine 0 got %s", i, ids[i], ids[0])
		}
	}
	if c := countClients(t, m); c != 1 {
		t.Fatalf("%d clients, want 1", c)
	}
}

// countClients counts the stored client records.
func countClients(t testing.TB, m *Manager) int {
	t.Helper()
	page, err := m.store.List(context.Background(), clientPrefix, stateListAll())
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Entries)
}

// selfSignedCA is what `openssl req -x509` makes with its default settings:
// a self-signed certificate with basicConstraints cA=TRUE.
func selfSignedCA(t *testing.T) *x509.Certificate {
	t.Helper()
	key := mustP256(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "device"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// P1 asks only for an RFC 5280 certificate: the sandbox's device runners
// onboard with `openssl req -x509` certificates (cA=TRUE). They are
// accepted with a warning on the client record, and refused with
// policy.requireEndEntity (the rc.3 rule).
func TestWFMInteropSelfSignedCACertificateOnboardsInP1(t *testing.T) {
	cert := selfSignedCA(t)
	m := newManager(t, memory.New(), "")
	c, err := m.Onboard(context.Background(), cert)
	if err != nil {
		t.Fatalf("onboard: %v", err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "cA=true") {
		t.Fatalf("warnings %v", c.Warnings)
	}
	stored, err := m.Client(context.Background(), c.ID)
	if err != nil || len(stored.Warnings) != 1 {
		t.Fatalf("the warning is not on the stored record: %+v %v", stored.Warnings, err)
	}
	strict := newManager(t, memory.New(), `{"policy": {"requireEndEntity": true}}`)
	_, err = strict.Onboard(context.Background(), cert)
	if fe := wantFault(t, err, fault.BadRequest, document.ProblemInvalidCertificateFormat); !strings.Contains(fe.Detail, "end-entity") {
		t.Fatalf("detail %q", fe.Detail)
	}
}

// An rc.3 client an operator issued an SVID to is a client like a P1 one:
// created approved under the chosen id, renewed keeping its state, and
// refused (409) once revoked until approved again.
func TestEnrollRecordsRC3Clients(t *testing.T) {
	ctx := context.Background()
	m := newManager(t, memory.New(), "")
	svid := func() *x509.Certificate {
		key := mustP256(t)
		u, _ := url.Parse("spiffe://plant.example/margo/wfm/w/client/edge-1")
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(3), NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour), URIs: []*url.URL{u}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c
	}
	c, err := m.Enroll(ctx, "edge-1", svid())
	if err != nil || c.State != fleet.ClientApproved || c.SPIFFEID != "spiffe://plant.example/margo/wfm/w/client/edge-1" {
		t.Fatalf("enroll: %+v %v", c, err)
	}
	renewed := svid()
	c, err = m.Enroll(ctx, "edge-1", renewed)
	if err != nil || c.Created.IsZero() || c.KeyID == "" {
		t.Fatalf("renew: %+v %v", c, err)
	}
	if got, err := m.Client(ctx, "edge-1"); err != nil || !got.Certificate.Equal(renewed) {
		t.Fatalf("the renewed certificate is not stored: %v", err)
	}
	if _, err := m.SetState(ctx, "edge-1", fleet.ClientRevoked); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Enroll(ctx, "edge-1", svid()); !fault.Is(err, fault.Conflict) {
		t.Fatalf("enrolling a revoked client: %v, want conflict", err)
	}
	if _, err := m.Enroll(ctx, "a/b", svid()); !fault.Is(err, fault.BadRequest) {
		t.Fatalf("a bad id: %v", err)
	}
}
