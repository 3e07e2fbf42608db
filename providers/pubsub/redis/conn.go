package redis

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strings"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// clientOptions returns the go-redis options of cfg; a TLS CA that cannot be
// read or parsed is an error naming it.
func clientOptions(cfg Config) (*goredis.Options, error) {
	opts := &goredis.Options{
		Addr:                  cfg.Addr,
		Username:              cfg.Username,
		Password:              cfg.Password,
		DB:                    cfg.DB,
		DialTimeout:           cfg.DialTimeout.D(),
		ReadTimeout:           cfg.ReadTimeout.D(),
		WriteTimeout:          cfg.WriteTimeout.D(),
		ContextTimeoutEnabled: true, // a context deadline bounds the socket I/O too
		DisableIdentity:       true, // no CLIENT SETINFO round trip on connect
		// Cluster maintenance notifications do not apply to one server.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
	if cfg.TLS != nil {
		tc, err := tlsConfig(cfg.Addr, *cfg.TLS)
		if err != nil {
			return nil, err
		}
		opts.TLSConfig = tc
	}
	return opts, nil
}

// tlsConfig builds the client TLS config: TLS 1.2 or later, the server
// name from addr, and the CA bundle when one is given.
func tlsConfig(addr string, c TLSConfig) (*tls.Config, error) {
	host, _, _ := net.SplitHostPort(addr)
	tc := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         host,
		InsecureSkipVerify: c.InsecureSkipVerify, //nolint:gosec // opt-in, documented as test-only
	}
	if c.CA == "" {
		return tc, nil
	}
	pem, from := []byte(c.CA), "tls.ca"
	if !strings.Contains(c.CA, "-----BEGIN") {
		b, err := os.ReadFile(c.CA)
		if err != nil {
			return nil, fmt.Errorf("%s: cannot read the CA file %q: %w", ID, c.CA, err)
		}
		pem, from = b, c.CA
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: %s holds no PEM certificate: set tls.ca to a PEM file or PEM text", ID, from)
	}
	tc.RootCAs = pool
	return tc, nil
}

// connect opens a client and checks the server answers PING within the
// dial timeout; the error says what to check.
func connect(ctx context.Context, cfg Config) (*goredis.Client, error) {
	opts, err := clientOptions(cfg)
	if err != nil {
		return nil, err
	}
	rdb := goredis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, opts.DialTimeout+opts.ReadTimeout)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("%s: cannot reach redis at %s: %w; is redis-server running? check addr/password", ID, cfg.Addr, err)
	}
	return rdb, nil
}
