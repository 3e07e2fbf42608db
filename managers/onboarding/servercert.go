package onboarding

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"os"
	"time"
)

// ensureServerCert makes sure the configured server certificate files hold a
// key pair issued by the current CA, covering every configured host, with at
// least a third of the configured validity left; otherwise it issues a new
// one (fresh ECDSA P-256 key) and writes both files, the key with mode 0600.
func (m *Manager) ensureServerCert(ctx context.Context) error {
	sc := m.cfg.ServerCertificate
	if sc == nil {
		return nil
	}
	now := m.now()
	reason := m.serverCertProblem(sc, now)
	if reason == "" {
		m.log.DebugContext(ctx, "server certificate kept", "cert", sc.Cert)
		return nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("onboarding: generating the server key: %w", err)
	}
	subject := pkix.Name{CommonName: sc.Hosts[0], Organization: []string{"Cadenza"}}
	cert, der, err := m.ca.issueServer(&key.PublicKey, subject, sc.Hosts, sc.validity(), now)
	if err != nil {
		return err
	}
	keyPEM, err := encodeKeyPEM(key)
	if err != nil {
		return fmt.Errorf("onboarding: encoding the server key: %w", err)
	}
	// Key first: a crash between the two writes leaves a mismatched pair,
	// which the next start detects and replaces.
	if err := writeFileAtomic(sc.Key, keyPEM, 0o600); err != nil {
		return fmt.Errorf("onboarding: serverCertificate.key: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := writeFileAtomic(sc.Cert, certPEM, 0o644); err != nil {
		return fmt.Errorf("onboarding: serverCertificate.cert: %w", err)
	}
	m.log.InfoContext(ctx, "server certificate issued", "reason", reason, "cert", sc.Cert, "key", sc.Key,
		"hosts", sc.Hosts, "notAfter", cert.NotAfter)
	return nil
}

// serverCertProblem returns why the server certificate files must be
// re-issued, or "" when they are fine.
func (m *Manager) serverCertProblem(sc *ServerCertificate, now time.Time) string {
	certPEM, err := os.ReadFile(sc.Cert)
	if err != nil {
		return "certificate file unreadable: " + err.Error()
	}
	keyPEM, err := os.ReadFile(sc.Key)
	if err != nil {
		return "key file unreadable: " + err.Error()
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return "not a matching PEM key pair: " + err.Error()
	}
	cert, err := parseCertPEM(certPEM)
	if err != nil {
		return "certificate unparseable: " + err.Error()
	}
	if !bytes.Equal(cert.RawIssuer, m.ca.cert.RawSubject) || cert.CheckSignatureFrom(m.ca.cert) != nil {
		return "not issued by the current CA"
	}
	for _, h := range sc.Hosts {
		if cert.VerifyHostname(h) != nil {
			return fmt.Sprintf("does not cover host %q", h)
		}
	}
	if now.Before(cert.NotBefore) {
		return "not yet valid"
	}
	if cert.NotAfter.Sub(now) < sc.validity()/3 {
		return fmt.Sprintf("expires at %s, within a third of its validity", cert.NotAfter.UTC().Format(time.RFC3339))
	}
	if !hasServerAuth(cert) {
		return "not usable for TLS server authentication"
	}
	return ""
}

func hasServerAuth(cert *x509.Certificate) bool {
	if len(cert.ExtKeyUsage) == 0 {
		return true
	}
	for _, u := range cert.ExtKeyUsage {
		if u == x509.ExtKeyUsageServerAuth || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}
