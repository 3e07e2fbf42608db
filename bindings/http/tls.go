package http

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"sync"

	"github.com/cadenza-edge/cadenza/internal/filestamp"
)

// serverTLS loads the certificate files. Errors name the file and what to do.
func serverTLS(c *TLSConfig) (*tls.Config, error) {
	for _, f := range []string{c.Cert, c.Key} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("tls: cannot read %s: %w", f, err)
		}
	}
	pair := &serverPair{certFile: c.Cert, keyFile: c.Key}
	if err := pair.load(); err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		GetCertificate: pair.get,
		MinVersion:     tls.VersionTLS13,
		NextProtos:     []string{"http/1.1"},
	}
	if c.MinVersion == "1.2" {
		cfg.MinVersion = tls.VersionTLS12
	}
	if c.ClientCA != "" {
		cas := &clientCAs{file: c.ClientCA}
		if _, err := cas.load(); err != nil {
			return nil, err
		}
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
		cfg.ClientCAs = cas.pool
		base := cfg.Clone()
		cfg.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) { return cas.config(base), nil }
	}
	return cfg, nil
}

// clientCAs is the client CA bundle, read again when its file changes (the
// rc.3 identity service rewrites it when its trust bundle changes, e.g. a
// CA rotation), so new handshakes verify against the current anchors
// without a restart. A file that no longer reads keeps the last good pool.
type clientCAs struct {
	file string

	mu    sync.Mutex
	stamp string
	pool  *x509.CertPool
	cfg   *tls.Config // base with ClientCAs = pool
}

// load reads the file when it changed; it reports whether it did.
func (c *clientCAs) load() (bool, error) {
	stamp, err := filestamp.Of(c.file)
	if err != nil {
		return false, fmt.Errorf("tls: the client CA bundle: %w", err)
	}
	if stamp == c.stamp && c.pool != nil {
		return false, nil
	}
	pem, err := os.ReadFile(c.file)
	if err != nil {
		return false, fmt.Errorf("tls: cannot read the client CA bundle: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return false, fmt.Errorf("tls: %s holds no PEM certificate", c.file)
	}
	c.stamp, c.pool, c.cfg = stamp, pool, nil
	return true, nil
}

// config returns base with the current client CAs.
func (c *clientCAs) config(base *tls.Config) *tls.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = c.load() // on failure the last good pool stays
	if c.cfg == nil {
		c.cfg = base.Clone()
		c.cfg.ClientCAs = c.pool
	}
	return c.cfg
}

// serverPair is the server's certificate and key, read again when the
// files change (a CA rotation re-issues the WFM's certificate), so new
// handshakes present the current one without a restart. Files that no
// longer load keep the last good pair.
type serverPair struct {
	certFile, keyFile string

	mu    sync.Mutex
	stamp string
	pair  *tls.Certificate
}

// load reads the pair when the files changed.
func (p *serverPair) load() error {
	stamp, err := filestamp.Of(p.certFile, p.keyFile)
	if err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	if stamp == p.stamp && p.pair != nil {
		return nil
	}
	pair, err := tls.LoadX509KeyPair(p.certFile, p.keyFile)
	if err != nil {
		return fmt.Errorf("tls: cannot load the key pair %s / %s: %w (both must be PEM, and the key must match the certificate)", p.certFile, p.keyFile, err)
	}
	p.stamp, p.pair = stamp, &pair
	return nil
}

// get is the tls.Config GetCertificate hook.
func (p *serverPair) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.load() // on failure the last good pair stays
	return p.pair, nil
}
