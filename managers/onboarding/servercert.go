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
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/cadenza-edge/cadenza/managers/authority"
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
	leaf := authority.Leaf{Subject: subject, Hosts: sc.Hosts, Usage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, Validity: sc.validity()}
	if sc.SPIFFEID != "" {
		u, _ := url.Parse(sc.SPIFFEID) // checked by Validate
		leaf.URIs = []*url.URL{u}
	}
	cert, err := m.ca.Issue(&key.PublicKey, leaf, now)
	if err != nil {
		return fmt.Errorf("onboarding: %w", err)
	}
	if err := authority.WritePair(sc.Cert, sc.Key, cert, key); err != nil {
		return fmt.Errorf("onboarding: serverCertificate: %w", err)
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
	cert, err := authority.ParseCertPEM(certPEM)
	if err != nil {
		return "certificate unparseable: " + err.Error()
	}
	if !bytes.Equal(cert.RawIssuer, m.ca.Cert.RawSubject) || cert.CheckSignatureFrom(m.ca.Cert) != nil {
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
	if want := sc.SPIFFEID; want != "" && (len(cert.URIs) != 1 || cert.URIs[0].String() != want) {
		return "does not carry the WFM's SPIFFE ID " + want
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
