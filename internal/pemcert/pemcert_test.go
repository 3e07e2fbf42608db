package pemcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

func certPEM(t *testing.T, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestFirstAndAll(t *testing.T) {
	other := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1, 2}})
	bad := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})
	a, b := certPEM(t, "a"), certPEM(t, "b")

	text := append(append(append([]byte{}, other...), a...), b...)
	first, err := First(text)
	if err != nil || first.Subject.CommonName != "a" {
		t.Fatalf("First = %v, %v; want a", first, err)
	}
	all, err := All(text)
	if err != nil || len(all) != 2 || all[0].Subject.CommonName != "a" || all[1].Subject.CommonName != "b" {
		t.Fatalf("All = %v, %v; want a, b", all, err)
	}

	// First stops at the first certificate; All reads them all.
	if _, err := First(append(append([]byte{}, a...), bad...)); err != nil {
		t.Fatalf("First read past the first certificate: %v", err)
	}
	if _, err := All(append(append([]byte{}, a...), bad...)); err == nil || !strings.Contains(err.Error(), "certificate 2 is not valid") {
		t.Fatalf("All with a bad second block: %v", err)
	}
	for _, text := range [][]byte{nil, []byte("not PEM"), other} {
		if _, err := First(text); !errors.Is(err, ErrNone) {
			t.Errorf("First(%q) = %v, want ErrNone", text, err)
		}
		if _, err := All(text); !errors.Is(err, ErrNone) {
			t.Errorf("All(%q) = %v, want ErrNone", text, err)
		}
	}
}
