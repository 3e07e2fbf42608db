package onboarding

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/managers/authority"
	"github.com/cadenza-edge/cadenza/providers/state/bolt"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestGeneratedCAShape(t *testing.T) {
	m := newManager(t, memory.New(), "")
	ca := m.CACertificate()
	switch {
	case ca == nil:
		t.Fatal("no CA")
	case !ca.IsCA || !ca.BasicConstraintsValid:
		t.Error("not a CA certificate")
	case ca.MaxPathLen != 0 || !ca.MaxPathLenZero:
		t.Errorf("MaxPathLen = %d (zero %v), want 0", ca.MaxPathLen, ca.MaxPathLenZero)
	case ca.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign:
		t.Errorf("KeyUsage = %v", ca.KeyUsage)
	case ca.PublicKeyAlgorithm != x509.ECDSA:
		t.Errorf("key algorithm = %v", ca.PublicKeyAlgorithm)
	case ca.Subject.CommonName != "Cadenza WFM root CA (test)":
		t.Errorf("CN = %q", ca.Subject.CommonName)
	case ca.CheckSignatureFrom(ca) != nil:
		t.Error("not self-signed")
	}
	if d := time.Until(ca.NotAfter); d < DefaultCAValidity-2*time.Hour || d > DefaultCAValidity {
		t.Errorf("CA valid for %s, want about %s", d, DefaultCAValidity)
	}
	if err := m.Health(context.Background()); err != nil {
		t.Errorf("Health = %v", err)
	}
}

func TestCAGeneratedOnceAndKeptAcrossRestart(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		store := memory.New()
		first := newManager(t, store, "").CACertificate()
		second := newManager(t, store, "").CACertificate()
		if !first.Equal(second) {
			t.Fatal("a second start on the same store made another CA")
		}
	})
	t.Run("bolt", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "wfm.db")
		start := func() *x509.Certificate {
			s, err := bolt.Open(path, bolt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(context.Background())
			return newManager(t, s, "").CACertificate()
		}
		first, second := start(), start()
		if !first.Equal(second) {
			t.Fatal("the restart made another CA")
		}
		if first.Subject.CommonName != "Cadenza WFM root CA (test)" {
			t.Errorf("CN = %q", first.Subject.CommonName)
		}
	})
}

func TestCAConcurrentFirstStartSharesOneCA(t *testing.T) {
	store := memory.New()
	const hosts = 4
	cas := make([]*x509.Certificate, hosts)
	var wg sync.WaitGroup
	for i := range hosts {
		wg.Go(func() { cas[i] = newManager(t, store, "").CACertificate() })
	}
	wg.Wait()
	for i := 1; i < hosts; i++ {
		if !cas[i].Equal(cas[0]) {
			t.Fatalf("host %d uses another CA than host 0", i)
		}
	}
}

func TestCAConfiguredFilesUsed(t *testing.T) {
	dir := t.TempDir()
	ca, _, err := authority.Generate(authority.Spec{CommonName: "operator CA", Validity: 24 * time.Hour}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca-key.pem")
	keyPEM, err := authority.EncodeKeyPEM(ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}))
	writeFile(t, keyFile, keyPEM)
	store := memory.New()
	m := newManager(t, store, `{"ca": {"cert": "`+certFile+`", "key": "`+keyFile+`"}}`)
	if !m.CACertificate().Equal(ca.Cert) {
		t.Fatal("the configured CA is not the one in use")
	}
	if _, err := store.Get(context.Background(), caKey); !fault.Is(err, fault.NotFound) {
		t.Errorf("a CA was stored although one is configured: %v", err)
	}
}

func TestCAConfiguredFilesRejected(t *testing.T) {
	dir := t.TempDir()
	ca, _, err := authority.Generate(authority.Spec{CommonName: "operator CA", Validity: 24 * time.Hour}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := authority.Generate(authority.Spec{CommonName: "other CA", Validity: 24 * time.Hour}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	leaf := newIssuer(t).issue(t, certSpec{})
	certPEM := func(c *x509.Certificate) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	keyPEM, _ := authority.EncodeKeyPEM(ca.Key)
	otherKeyPEM, _ := authority.EncodeKeyPEM(other.Key)
	for _, tc := range []struct {
		name      string
		cert, key []byte // nil: file missing
		want      string
	}{
		{"missing cert file", nil, keyPEM, "cannot read ca.cert"},
		{"missing key file", certPEM(ca.Cert), nil, "cannot read ca.key"},
		{"cert file without PEM", []byte("not pem"), keyPEM, "no PEM CERTIFICATE block"},
		{"key file without key", certPEM(ca.Cert), certPEM(ca.Cert), "no PEM PRIVATE KEY"},
		{"key of another CA", certPEM(ca.Cert), otherKeyPEM, "does not match"},
		{"not a CA certificate", certPEM(leaf), keyPEM, "not a CA certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			certFile, keyFile := filepath.Join(sub, "ca.pem"), filepath.Join(sub, "ca-key.pem")
			if tc.cert != nil {
				writeFile(t, certFile, tc.cert)
			}
			if tc.key != nil {
				writeFile(t, keyFile, tc.key)
			}
			_, err := tryManager(t, memory.New(), `{"ca": {"cert": "`+certFile+`", "key": "`+keyFile+`"}}`, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Init = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestCAExpiredRefusedAtInit(t *testing.T) {
	store := memory.New()
	newManager(t, store, `{"caValidity": "2h"}`)
	later := func() time.Time { return time.Now().Add(3 * time.Hour) }
	_, err := tryManager(t, store, "", later)
	if err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("Init with an expired CA = %v, want an error saying it expired", err)
	}
}

func TestHealthBeforeInit(t *testing.T) {
	if err := (&Manager{}).Health(context.Background()); err == nil {
		t.Fatal("Health before Init = nil, want an error")
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCAFileIsWrittenAndMatchesTheCA(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "ca.pem")
	m := newManager(t, memory.New(), `{"caFile":"`+path+`"}`)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || !bytes.Equal(block.Bytes, m.CACertificate().Raw) {
		t.Fatalf("%s does not hold the CA", path)
	}
}
