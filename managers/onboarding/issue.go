package onboarding

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"time"
)

// issueBackdate is how far before its issue an issued certificate becomes
// valid, for clients whose clock runs late.
const issueBackdate = 5 * time.Minute

// issueServer issues a TLS server certificate for pub from the CA, covering
// hosts (IP addresses and DNS names) for validity, capped at the CA's own
// expiry.
func (a *authority) issueServer(pub crypto.PublicKey, subject pkix.Name, hosts []string, validity time.Duration, now time.Time) (*x509.Certificate, []byte, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	notAfter := now.Add(validity)
	if notAfter.After(a.cert.NotAfter) {
		notAfter = a.cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		NotBefore:             now.Add(-issueBackdate),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, pub, a.key)
	if err != nil {
		return nil, nil, fmt.Errorf("onboarding: issuing a certificate for %v: %w", hosts, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("onboarding: parsing the issued certificate: %w", err)
	}
	return cert, der, nil
}

// randomSerial is a random positive 128-bit serial number (RFC 5280 allows
// up to 20 octets).
func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("onboarding: generating a serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}
