package compose

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/pemcert"
)

// readCAFile reads a PEM bundle of CA certificates: at least one
// CERTIFICATE block, every one of them a valid certificate (other block
// types are ignored, as crypto/x509 does).
func readCAFile(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %w", path, err)
	}
	certs, err := pemcert.All(data)
	if errors.Is(err, pemcert.ErrNone) {
		return nil, fmt.Errorf("%q holds no PEM certificate (want one or more -----BEGIN CERTIFICATE----- blocks)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%q: %w", path, err)
	}
	return certs, nil
}

// httpClient is the client of http(s) package, signature and key fetches:
// it trusts the system roots plus, when caFile is set, its certificates.
func (c *Config) httpClient() (*http.Client, error) {
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		certs, err := readCAFile(c.CAFile)
		if err != nil {
			return nil, fault.Wrap(err, fault.BadRequest, "workload.compose: caFile")
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		for _, cert := range certs {
			pool.AddCert(cert)
		}
		tlsCfg.RootCAs = pool
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsCfg
	return &http.Client{Transport: tr}, nil
}

// untrusted turns a failed https request whose server certificate does not
// verify into an error saying what to configure; nil for other errors.
func (p *Provider) untrusted(err error, rawURL string) error {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
	)
	host := rawURL
	if u, perr := url.Parse(rawURL); perr == nil {
		host = u.Host
	}
	switch {
	case errors.As(err, &unknownCA) && p.cfg.CAFile == "":
		return fault.Wrap(err, fault.Unavailable, "fetch %s: the TLS certificate of %s is not signed by a trusted CA: set caFile (workload.compose config) to the PEM file of the CA that issued it", rawURL, host)
	case errors.As(err, &unknownCA):
		return fault.Wrap(err, fault.Unavailable, "fetch %s: the TLS certificate of %s is signed neither by a system root nor by a CA of caFile %q", rawURL, host, p.cfg.CAFile)
	case errors.As(err, &hostname):
		return fault.Wrap(err, fault.Unavailable, "fetch %s: the TLS certificate of %s is not valid for that host name", rawURL, host)
	case errors.As(err, &invalid), errors.As(err, &verify):
		return fault.Wrap(err, fault.Unavailable, "fetch %s: the TLS certificate of %s does not verify", rawURL, host)
	}
	return nil
}
