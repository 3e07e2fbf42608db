package sync

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestIdentityIsCreatedOnceAndReloaded(t *testing.T) {
	dir := t.TempDir()
	key, cert := filepath.Join(dir, "id", "key.pem"), filepath.Join(dir, "id", "cert.pem")
	id, created, err := loadIdentity(key, cert, "dev-1", time.Now())
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if k, ok := id.key.(*ecdsa.PrivateKey); !ok || k.Curve != elliptic.P256() {
		t.Fatalf("key %T", id.key)
	}
	if info, _ := os.Stat(key); info.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v", info.Mode())
	}
	c := id.cert
	if c.Version != 3 || c.IsCA || c.KeyUsage&x509.KeyUsageCertSign != 0 || c.Subject.CommonName != "dev-1" || c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) != nil {
		t.Fatalf("certificate %+v", c)
	}
	again, created, err := loadIdentity(key, cert, "other", time.Now())
	if err != nil || created || !again.cert.Equal(id.cert) {
		t.Fatalf("reload: created %v err %v", created, err)
	}
	// A lost certificate is re-made for the same key; a lost key is an error.
	_ = os.Remove(cert)
	if re, created, err := loadIdentity(key, cert, "dev-1", time.Now()); err != nil || !created || !publicKeysEqual(re.cert.PublicKey, id.key.Public()) {
		t.Fatalf("re-made certificate: %v", err)
	}
	_ = os.Remove(key)
	if _, _, err := loadIdentity(key, cert, "dev-1", time.Now()); err == nil || !strings.Contains(err.Error(), "restore the key") {
		t.Fatalf("certificate without key: %v", err)
	}
	// A certificate of another key is refused.
	other, _, _ := loadIdentity(filepath.Join(dir, "k2.pem"), filepath.Join(dir, "c2.pem"), "x", time.Now())
	der, _ := x509.MarshalPKCS8PrivateKey(other.key)
	_ = os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	if _, _, err := loadIdentity(key, cert, "dev-1", time.Now()); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Fatalf("mismatched pair: %v", err)
	}
}

func TestTrustFromFileOrPinnedOnFirstUse(t *testing.T) {
	w := newFakeWFM(t)
	dir := t.TempDir()
	id, _, err := loadIdentity(filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem"), "d", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, pinned, err := loadTrust(ctx, w.url(), w.caFile, false, id); err != nil || pinned != nil {
		t.Fatalf("from file: %v %v", pinned, err)
	}
	missing := filepath.Join(dir, "wfm-ca.pem")
	if _, _, err := loadTrust(ctx, w.url(), missing, false, id); !errors.Is(err, errNoTrust) || !strings.Contains(err.Error(), "trustOnFirstUse") {
		t.Fatalf("no CA, no TOFU: %v", err)
	}
	pool, pinned, err := loadTrust(ctx, w.url(), missing, true, id)
	if err != nil || pinned == nil || !pinned.cert.Equal(w.srv.Certificate()) || pool == nil {
		t.Fatalf("trust on first use: %v %v", pinned, err)
	}
	if _, again, err := loadTrust(ctx, w.url(), missing, true, id); err != nil || again != nil {
		t.Fatalf("the pinned CA must be read from the file, not fetched again: %v %v", again, err)
	}
}

func TestTrustOnFirstUseRefusesACAThatDidNotIssueTheServer(t *testing.T) {
	w := newFakeWFM(t)
	dir := t.TempDir()
	id, _, _ := loadIdentity(filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem"), "d", time.Now())
	// Serve another CA than the one behind the server's TLS certificate.
	other, _, _ := loadIdentity(filepath.Join(dir, "k2.pem"), filepath.Join(dir, "c2.pem"), "mallory", time.Now())
	w.set(func(w *fakeWFM) { w.servedCA = other.cert.Raw })
	if _, _, err := loadTrust(context.Background(), w.url(), filepath.Join(dir, "ca.pem"), true, id); err == nil || !strings.Contains(err.Error(), "did not issue") {
		t.Fatalf("want a refusal, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ca.pem")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a refused CA was pinned")
	}
}

func TestStoredClientOfAnotherKeyBlocks(t *testing.T) {
	w := newFakeWFM(t)
	a := newAgent(t, w, agentOpts{})
	a.pollNow(t)
	b := newAgent(t, w, agentOpts{store: a.store}) // same store, new identity dir
	b.pollNow(t)
	if err := b.Health(context.Background()); err == nil || !strings.Contains(err.Error(), "restore the original key") {
		t.Fatalf("health %v", err)
	}
	if w.count("onboarding") != 1 {
		t.Fatalf("onboarded %d times", w.count("onboarding"))
	}
}
