package mqtt

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// clientTLS builds the TLS config used with mqtts:// and ssl:// brokers.
// Errors name the file and what to do.
func clientTLS(c *TLSConfig) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c == nil {
		return cfg, nil
	}
	if c.MinVersion == "1.3" {
		cfg.MinVersion = tls.VersionTLS13
	}
	cfg.ServerName = c.ServerName
	if c.CA != "" {
		pem, err := os.ReadFile(c.CA)
		if err != nil {
			return nil, fmt.Errorf("tls: cannot read the CA bundle: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls: %s holds no PEM certificate", c.CA)
		}
		cfg.RootCAs = pool
	}
	if c.Cert != "" {
		for _, f := range []string{c.Cert, c.Key} {
			if _, err := os.Stat(f); err != nil {
				return nil, fmt.Errorf("tls: cannot read %s: %w", f, err)
			}
		}
		cert, err := tls.LoadX509KeyPair(c.Cert, c.Key)
		if err != nil {
			return nil, fmt.Errorf("tls: cannot load the key pair %s / %s: %w (both must be PEM, and the key must match the certificate)", c.Cert, c.Key, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
