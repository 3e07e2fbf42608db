package redisconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Options returns the go-redis options of cfg; a TLS CA that cannot be read
// or parsed is an error naming it. The pool size is go-redis's default: a
// caller that wants another sets it before Connect.
func Options(cfg Config) (*redis.Options, error) {
	opts := &redis.Options{
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
			return nil, fmt.Errorf("cannot read the CA file %q: %w", c.CA, err)
		}
		pem, from = b, c.CA
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate: set tls.ca to a PEM file or PEM text", from)
	}
	tc.RootCAs = pool
	return tc, nil
}

// Connect opens a client with opts and checks the server answers PING
// within opts.DialTimeout+opts.ReadTimeout; the error says what to check.
// Those timeouts are used as given (zero is no time at all, not go-redis's
// default): fill them first, e.g. from Defaults.
func Connect(ctx context.Context, opts *redis.Options) (*redis.Client, error) {
	rdb := redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, opts.DialTimeout+opts.ReadTimeout)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("cannot reach redis at %s: %w; is redis-server running? check addr/password", opts.Addr, err)
	}
	return rdb, nil
}

// Open is Options then Connect.
func Open(ctx context.Context, cfg Config) (*redis.Client, error) {
	opts, err := Options(cfg)
	if err != nil {
		return nil, err
	}
	return Connect(ctx, opts)
}
