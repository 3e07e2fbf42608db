package http

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// serverTLS loads the certificate files. Errors name the file and what to do.
func serverTLS(c *TLSConfig) (*tls.Config, error) {
	for _, f := range []string{c.Cert, c.Key} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("tls: cannot read %s: %w", f, err)
		}
	}
	cert, err := tls.LoadX509KeyPair(c.Cert, c.Key)
	if err != nil {
		return nil, fmt.Errorf("tls: cannot load the key pair %s / %s: %w (both must be PEM, and the key must match the certificate)", c.Cert, c.Key, err)
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS13,
		NextProtos:   []string{"http/1.1"},
	}
	if c.MinVersion == "1.2" {
		cfg.MinVersion = tls.VersionTLS12
	}
	if c.ClientCA != "" {
		pem, err := os.ReadFile(c.ClientCA)
		if err != nil {
			return nil, fmt.Errorf("tls: cannot read the client CA bundle: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls: %s holds no PEM certificate", c.ClientCA)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}
