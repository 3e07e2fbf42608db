package onboarding

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/managers/authority"
	"github.com/cadenza-edge/cadenza/managers/base/basetest"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// newManager builds and initialises a manager the way the host does.
func newManager(t testing.TB, store state.Store, cfgJSON string) *Manager {
	t.Helper()
	m, err := tryManager(t, store, cfgJSON, nil)
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	return m
}

// tryManager is newManager returning the error; now, when set, is the clock.
func tryManager(t testing.TB, store state.Store, cfgJSON string, now func() time.Time) (*Manager, error) {
	t.Helper()
	m := &Manager{now: now}
	if cfgJSON == "" {
		cfgJSON = "{}"
	}
	if err := config.DecodeModule("t.json", "m.config", []byte(cfgJSON), m.ConfigTarget()); err != nil {
		t.Fatalf("config: %v", err)
	}
	env := &module.Env{Logger: testLogger(t), Uses: map[string]module.Module{"state": store}, Host: "test"}
	return m, m.Init(context.Background(), env)
}

// testLogger writes to the test's output (discarded for benchmarks).
func testLogger(t testing.TB) *slog.Logger {
	if tt, ok := t.(*testing.T); ok {
		return slog.New(slog.NewTextHandler(tt.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// certSpec describes a test client certificate.
type certSpec struct {
	key       crypto.Signer // subject key; a fresh P-256 key when nil
	notBefore time.Time     // default an hour ago
	notAfter  time.Time     // default in a year
	isCA      bool
	cn        string
}

// issuer is a test CA that signs client certificates (devices' certificates
// come from their own PKI, not from the WFM's CA).
type issuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newIssuer(t testing.TB) *issuer {
	t.Helper()
	key := mustP256(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test device CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &issuer{cert: cert, key: key}
}

// issue makes a client certificate per spec.
func (is *issuer) issue(t testing.TB, s certSpec) *x509.Certificate {
	t.Helper()
	if s.key == nil {
		s.key = mustP256(t)
	}
	if s.notBefore.IsZero() {
		s.notBefore = time.Now().Add(-time.Hour)
	}
	if s.notAfter.IsZero() {
		s.notAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	if s.cn == "" {
		s.cn = "device"
	}
	serial, err := authority.RandomSerial()
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: s.cn},
		NotBefore: s.notBefore, NotAfter: s.notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true, IsCA: s.isCA,
	}
	if s.isCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, is.cert, s.key.Public(), is.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func mustP256(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func keyID(t testing.TB, k crypto.Signer) string {
	t.Helper()
	id, err := signature.KeyIDFromPublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// wantFault fails unless err is a *fault.Error with code and, when typ is
// not "", that problem type.
var wantFault = basetest.WantFault

func stateListAll() state.ListOptions { return state.ListOptions{Limit: state.MaxPageSize} }

// countingStore counts Get calls.
type countingStore struct {
	state.Store
	gets atomic.Int64
}

func (s *countingStore) Get(ctx context.Context, key string) (state.Entry, error) {
	s.gets.Add(1)
	return s.Store.Get(ctx, key)
}
