package miaf

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
)

var td = spiffeid.RequireTrustDomainFromString("plant.example")

func TestParseMargoIDs(t *testing.T) {
	for _, c := range []struct {
		in         string
		wfm, clien string
		bad        string
	}{
		{in: "spiffe://plant.example/margo/wfm/wfm-1", wfm: "wfm-1"},
		{in: "spiffe://plant.example/margo/wfm/wfm-1/client/c_1.x-Y", wfm: "wfm-1", clien: "c_1.x-Y"},
		{in: "spiffe://plant.example/margo/wfm/wfm-1/client/c~1", bad: "SPIFFE"},
		{in: "spiffe://plant.example/margo/wfm/wfm-1/client", bad: "not a Margo"},
		{in: "spiffe://plant.example/margo/wfm/wfm-1/client/c/extra", bad: "not a Margo"},
		{in: "spiffe://plant.example/margo/wfm", bad: "not a Margo"},
		{in: "spiffe://plant.example/margo/wfm/../client/c", bad: "SPIFFE"},
		{in: "spiffe://plant.example/margo/wfm/w/device/c", bad: "not a Margo"},
		{in: "spiffe://plant.example/other/wfm/w", bad: "not a Margo"},
		{in: "spiffe://plant.example/margo/wfm/w/client/", bad: "SPIFFE"},
		{in: "https://plant.example/margo/wfm/w", bad: "SPIFFE"},
		{in: "spiffe://Plant.example/margo/wfm/w", bad: "SPIFFE"},
	} {
		id, err := Parse(c.in)
		if c.bad != "" {
			if err == nil || !strings.Contains(err.Error(), c.bad) {
				t.Errorf("%s: err %v, want %q", c.in, err, c.bad)
			}
			continue
		}
		if err != nil || id.WFM != c.wfm || id.Client != c.clien || id.TrustDomain != td || id.String() != c.in {
			t.Errorf("%s: %+v %v", c.in, id, err)
		}
	}
	if _, err := (Identity{TrustDomain: td, WFM: "w", Client: "a/b"}).ID(); err == nil {
		t.Error("a client id with / was accepted")
	}
}

// testCA is a trust domain CA that issues SVIDs.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "td ca"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		URIs: []*url.URL{td.ID().URL()}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key}
}

func (ca *testCA) issue(t *testing.T, id string, edit func(*x509.Certificate), pub crypto.PublicKey) *x509.Certificate {
	t.Helper()
	if pub == nil {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		pub = k.Public()
	}
	u, _ := url.Parse(id)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		URIs: []*url.URL{u}, KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth}}
	if edit != nil {
		edit(tmpl)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

const clientID = "spiffe://plant.example/margo/wfm/wfm-1/client/c1"

func TestVerifyAppliesTheMargoLeafRules(t *testing.T) {
	ca := newTestCA(t)
	b := NewBundle(td, 1, 5*time.Minute, []*x509.Certificate{ca.cert})
	now := time.Now()
	id, err := Verify([]*x509.Certificate{ca.issue(t, clientID, nil, nil)}, b, now)
	if err != nil || id.Client != "c1" || id.WFM != "wfm-1" {
		t.Fatalf("valid SVID: %+v %v", id, err)
	}
	other := newTestCA(t)
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	for _, c := range []struct {
		name  string
		chain []*x509.Certificate
		want  string
	}{
		{"CA leaf", []*x509.Certificate{ca.issue(t, clientID, func(c *x509.Certificate) { c.IsCA = true; c.KeyUsage |= x509.KeyUsageCertSign }, nil)}, "cA=true"},
		{"cert-signing usage", []*x509.Certificate{ca.issue(t, clientID, func(c *x509.Certificate) { c.KeyUsage |= x509.KeyUsageCRLSign }, nil)}, "signing certificates"},
		{"expired", []*x509.Certificate{ca.issue(t, clientID, func(c *x509.Certificate) { c.NotAfter = now.Add(-time.Second) }, nil)}, "expired"},
		{"two URI SANs", []*x509.Certificate{ca.issue(t, clientID, func(c *x509.Certificate) { c.URIs = append(c.URIs, c.URIs[0]) }, nil)}, "more than one URI SAN"},
		{"not a Margo ID", []*x509.Certificate{ca.issue(t, "spiffe://plant.example/workload/x", nil, nil)}, "not a Margo"},
		{"another trust domain", []*x509.Certificate{ca.issue(t, "spiffe://other.example/margo/wfm/w/client/c", nil, nil)}, "trust domain"},
		{"signed by another CA", []*x509.Certificate{other.issue(t, clientID, nil, nil)}, "could not verify"},
		{"small RSA key", []*x509.Certificate{ca.issue(t, clientID, nil, rsa2048.Public())}, "3072"},
		{"no certificate", nil, "no client certificate"},
	} {
		if _, err := Verify(c.chain, b, now); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}

func TestBundleRoundTripAndFailClosed(t *testing.T) {
	ca := newTestCA(t)
	data, err := NewBundle(td, 7, 300*time.Second, []*x509.Certificate{ca.cert}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, member := range []string{`"spiffe_sequence":7`, `"spiffe_refresh_hint":300`, `"use":"x509-svid"`, `"x5c"`} {
		if !strings.Contains(string(data), member) {
			t.Errorf("bundle %s lacks %s", data, member)
		}
	}
	b, err := ParseBundle(td, data)
	if err != nil || b.Sequence() != 7 || b.RefreshHint() != 300*time.Second || len(b.Anchors()) != 1 || !b.Anchors()[0].Equal(ca.cert) {
		t.Fatalf("parsed %+v %v", b, err)
	}
	for _, bad := range []string{`{"keys": []}`, `{}`, `not json`, `{"keys": [{"use": "jwt-svid", "kty": "EC"}]}`} {
		if _, err := ParseBundle(td, []byte(bad)); err == nil {
			t.Errorf("bundle %s accepted", bad)
		}
	}
}

func TestParseDiscovery(t *testing.T) {
	d, got, err := ParseDiscovery([]byte(`{"trustDomain": "plant.example", "trustBundleUri": "https://mis.plant.example/.well-known/spiffe/bundle.json"}`))
	if err != nil || got != td || d.TrustBundleURI == "" {
		t.Fatalf("%+v %v %v", d, got, err)
	}
	for _, bad := range []string{`{"trustDomain": "plant.example", "trustBundleUri": "http://x/b.json"}`, `{"trustDomain": "", "trustBundleUri": "/b"}`, `[]`} {
		if _, _, err := ParseDiscovery([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{clientID, "spiffe://plant.example/margo/wfm/w", "spiffe://x/margo/wfm/../client/c", "spiffe://", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(id.String())
		if err != nil || again != id {
			t.Fatalf("%q parsed as %+v, which does not round-trip: %+v %v", s, id, again, err)
		}
	})
}

func FuzzParseBundle(f *testing.F) {
	f.Add([]byte(`{"keys": [], "spiffe_sequence": 1}`))
	f.Add([]byte(`{"keys": [{"use": "x509-svid", "kty": "EC", "x5c": ["AAAA"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBundle(td, data)
		if err != nil {
			return
		}
		if len(b.Anchors()) == 0 {
			t.Fatal("a bundle without anchors was accepted")
		}
		if _, err := b.Marshal(); err != nil {
			t.Fatalf("an accepted bundle does not marshal: %v", err)
		}
	})
}
