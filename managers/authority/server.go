package authority

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/internal/pemcert"
	"github.com/cadenza-edge/cadenza/margo/miaf"
)

// DefaultServerCertValidity is a server certificate's default lifetime.
const DefaultServerCertValidity = 365 * 24 * time.Hour

// ServerCertificate configures a TLS server certificate a CA issues and
// keeps current in two files (see Authority.EnsureServer).
type ServerCertificate struct {
	Cert  string   `json:"cert"`  // PEM certificate file to write, e.g. "var/wfm/tls.pem"
	Key   string   `json:"key"`   // PEM key file to write (mode 0600), e.g. "var/wfm/tls-key.pem"
	Hosts []string `json:"hosts"` // DNS names and IP addresses the certificate covers
	// Validity is the certificate's lifetime (default 8760h); it is re-issued
	// once less than a third of it is left.
	Validity config.Duration `json:"validity"`
	// SPIFFEID, when set, is the WFM's rc.3 identity
	// (spiffe://<td>/margo/wfm/<wfm-id>, as managers.identity names it),
	// added as the certificate's URI SAN: rc.3 clients check it.
	SPIFFEID string `json:"spiffeId,omitempty"`
}

// ValidityOrDefault returns the server certificate lifetime with its default applied.
func (s *ServerCertificate) ValidityOrDefault() time.Duration {
	if s.Validity == 0 {
		return DefaultServerCertValidity
	}
	return s.Validity.D()
}

// Check validates the settings; prefix is their JSON path (e.g.
// "serverCertificate").
func (s *ServerCertificate) Check(prefix string) config.Errors {
	var errs config.Errors
	if s.Cert == "" {
		errs = append(errs, config.Field(prefix+".cert", `required: the PEM file to write, e.g. "var/wfm/tls.pem"`))
	}
	if s.Key == "" {
		errs = append(errs, config.Field(prefix+".key", `required: the PEM key file to write, e.g. "var/wfm/tls-key.pem"`))
	}
	if s.Cert != "" && s.Cert == s.Key {
		errs = append(errs, config.Field(prefix+".key", "must differ from %s.cert (%q)", prefix, s.Cert))
	}
	if len(s.Hosts) == 0 {
		errs = append(errs, config.Field(prefix+".hosts", `required: the DNS names and IP addresses devices use, e.g. ["wfm.example.com", "127.0.0.1"]`))
	}
	for i, h := range s.Hosts {
		if reason := checkHost(h); reason != "" {
			errs = append(errs, config.Field(fmt.Sprintf("%s.hosts[%d]", prefix, i), "%s", reason))
		}
	}
	if s.SPIFFEID != "" {
		if id, err := miaf.Parse(s.SPIFFEID); err != nil || id.IsClient() {
			errs = append(errs, config.Field(prefix+".spiffeId", "%q is not a Margo WFM SPIFFE ID (spiffe://<trust-domain>/margo/wfm/<wfm-id>)", s.SPIFFEID))
		}
	}
	if s.Validity < 0 || (s.Validity > 0 && s.Validity < config.Duration(time.Hour)) {
		errs = append(errs, config.Field(prefix+".validity", "must be at least 1h, got %s", s.Validity))
	}
	return errs
}

// checkHost returns why h is not an IP address or DNS name, or "".
func checkHost(h string) string {
	switch {
	case h == "":
		return "empty host"
	case net.ParseIP(h) != nil:
		return ""
	case strings.Contains(h, "://"):
		return fmt.Sprintf("%q is a URL: write the host name only", h)
	case strings.Contains(h, ":"):
		return fmt.Sprintf("%q has a port or is not an IP address: write the host name or address only", h)
	}
	name := strings.TrimPrefix(h, "*.")
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Sprintf("%q is not a valid DNS name", h)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return fmt.Sprintf("%q is not a valid DNS name", h)
			}
		}
	}
	return ""
}

// EnsureServer makes sure sc's files hold a key pair issued by a, covering
// every configured host (and carrying sc's SPIFFE ID), with at least a
// third of the configured validity left; otherwise it issues a new one
// (fresh ECDSA P-256 key) and writes both files, the key with mode 0600.
// It returns why it issued one ("" when the files were kept) and the
// certificate it issued.
func (a *Authority) EnsureServer(sc *ServerCertificate, now time.Time) (string, *x509.Certificate, error) {
	reason := a.ServerProblem(sc, now)
	if reason == "" {
		return "", nil, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", nil, fmt.Errorf("generating the server key: %w", err)
	}
	subject := pkix.Name{CommonName: sc.Hosts[0], Organization: []string{"Cadenza"}}
	leaf := Leaf{Subject: subject, Hosts: sc.Hosts, Usage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, Validity: sc.ValidityOrDefault()}
	if sc.SPIFFEID != "" {
		u, _ := url.Parse(sc.SPIFFEID) // checked by Validate
		leaf.URIs = []*url.URL{u}
	}
	cert, err := a.Issue(&key.PublicKey, leaf, now)
	if err != nil {
		return "", nil, err
	}
	if err := WritePair(sc.Cert, sc.Key, cert, key); err != nil {
		return "", nil, fmt.Errorf("serverCertificate: %w", err)
	}
	return reason, cert, nil
}

// ServerProblem returns why sc's files must be re-issued by a, or "" when
// they are fine.
func (a *Authority) ServerProblem(sc *ServerCertificate, now time.Time) string {
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
	cert, err := pemcert.First(certPEM)
	if err != nil {
		return "certificate unparseable: " + err.Error()
	}
	if !bytes.Equal(cert.RawIssuer, a.Cert.RawSubject) || cert.CheckSignatureFrom(a.Cert) != nil {
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
	if cert.NotAfter.Sub(now) < sc.ValidityOrDefault()/3 {
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
