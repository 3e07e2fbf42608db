package authority

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestLoadGeneratesOnceAndSharesThroughTheStore(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	store := memory.New()
	td, _ := url.Parse("spiffe://plant.example")
	src := Source{What: "test CA", Store: store, StateKey: "test/ca", Spec: Spec{CommonName: "t", Validity: time.Hour, URI: td}, Log: slog.New(slog.DiscardHandler)}
	a, err := Load(ctx, src, now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(ctx, src, now)
	if err != nil || !a.Cert.Equal(b.Cert) {
		t.Fatalf("a second load made another CA: %v", err)
	}
	if len(a.Cert.URIs) != 1 || a.Cert.URIs[0].String() != "spiffe://plant.example" || !a.Cert.IsCA {
		t.Fatalf("CA %+v", a.Cert)
	}
}

func TestIssueIsCappedAtTheCAsExpiry(t *testing.T) {
	now := time.Now()
	ca, _, err := Generate(Spec{CommonName: "t", Validity: time.Hour}, now)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	id, _ := url.Parse("spiffe://plant.example/margo/wfm/w")
	leaf, err := ca.Issue(key.Public(), Leaf{Hosts: []string{"127.0.0.1", "wfm.local"}, URIs: []*url.URL{id},
		Usage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, Validity: 24 * time.Hour}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !leaf.NotAfter.Equal(ca.Cert.NotAfter) || leaf.IsCA || len(leaf.IPAddresses) != 1 || len(leaf.DNSNames) != 1 || len(leaf.URIs) != 1 {
		t.Fatalf("leaf %+v", leaf)
	}
	if err := leaf.CheckSignatureFrom(ca.Cert); err != nil {
		t.Fatal(err)
	}
}
