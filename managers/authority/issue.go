package authority

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"time"
)

// IssueBackdate is how far before its issue an issued certificate becomes
// valid, for clients whose clock runs late.
const IssueBackdate = 5 * time.Minute

// Leaf says what end-entity certificate to issue.
type Leaf struct {
	Subject  pkix.Name
	Hosts    []string   // IP addresses and DNS names (SANs)
	URIs     []*url.URL // URI SANs (a SPIFFE ID)
	Usage    []x509.ExtKeyUsage
	Validity time.Duration
}

// Issue issues an end-entity certificate for pub, valid for leaf.Validity
// from now (backdated by IssueBackdate), capped at the CA's own expiry.
func (a *Authority) Issue(pub crypto.PublicKey, leaf Leaf, now time.Time) (*x509.Certificate, error) {
	serial, err := RandomSerial()
	if err != nil {
		return nil, err
	}
	notAfter := now.Add(leaf.Validity)
	if notAfter.After(a.Cert.NotAfter) {
		notAfter = a.Cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               leaf.Subject,
		NotBefore:             now.Add(-IssueBackdate),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           leaf.Usage,
		BasicConstraintsValid: true,
		URIs:                  leaf.URIs,
	}
	for _, h := range leaf.Hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.Cert, pub, a.Key)
	if err != nil {
		return nil, fmt.Errorf("issuing a certificate for %v %v: %w", leaf.Hosts, leaf.URIs, err)
	}
	return x509.ParseCertificate(der)
}

// RandomSerial is a random positive 128-bit serial number (RFC 5280 allows
// up to 20 octets).
func RandomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("generating a serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}
