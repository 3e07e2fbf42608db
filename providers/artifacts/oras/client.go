package oras

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
)

// userAgent is sent to registries.
const userAgent = "cadenza-artifacts-oras"

// responseHeaderTimeout bounds the wait for a registry's response headers
// (a hung registry); the body is bounded by the pull timeout.
const responseHeaderTimeout = 30 * time.Second

// remotes holds one auth client per registry host: its transport (TLS
// settings) and credentials, with a token cache shared by all pulls.
type remotes struct {
	cfg   Config
	log   *slog.Logger
	store credentials.Store // the credentials file; nil without one
	cache auth.Cache

	mu      sync.Mutex
	clients map[string]*auth.Client // by host
	idle    []*http.Transport
}

// newRemotes reads the configured CA files and the credentials file, so
// that config mistakes surface at Init.
func newRemotes(cfg Config, log *slog.Logger) (*remotes, error) {
	r := &remotes{cfg: cfg, log: log, cache: auth.NewCache(), clients: map[string]*auth.Client{}}
	if cfg.CredentialsFile != "" {
		path, err := expandHome(cfg.CredentialsFile)
		if err != nil {
			return nil, fmt.Errorf("credentialsFile %q: %w", cfg.CredentialsFile, err)
		}
		if _, err := os.Stat(path); err != nil {
			log.Warn("credentials file not readable; pulling without its credentials", "path", path, "err", err)
		}
		store, err := credentials.NewStore(path, credentials.StoreOptions{})
		if err != nil {
			return nil, fmt.Errorf("credentialsFile %q: %w", path, err)
		}
		r.store = store
	}
	for host := range cfg.Registries {
		if _, err := r.client(host); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// repository returns a client for ref's repository.
func (r *remotes) repository(ref registry.Reference) (*remote.Repository, error) {
	client, err := r.client(ref.Registry)
	if err != nil {
		return nil, err
	}
	repo, err := remote.NewRepository(ref.Registry + "/" + ref.Repository)
	if err != nil {
		return nil, err
	}
	repo.Client = client
	repo.PlainHTTP = r.cfg.Registries[ref.Registry].PlainHTTP
	return repo, nil
}

// client returns host's auth client, building it on first use.
func (r *remotes) client(host string) (*auth.Client, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.clients[host]; ok {
		return c, nil
	}
	reg := r.cfg.Registries[host]
	tr, err := transport(reg)
	if err != nil {
		return nil, fmt.Errorf("registries[%q]: %w", host, err)
	}
	c := &auth.Client{
		Client:     &http.Client{Transport: tr},
		Cache:      r.cache,
		Credential: r.credential(host, reg),
	}
	c.SetUserAgent(userAgent)
	r.clients[host] = c
	r.idle = append(r.idle, tr)
	return c, nil
}

// credential is host's credential: from its registry config, else from
// the credentials file, else anonymous.
func (r *remotes) credential(host string, reg Registry) auth.CredentialFunc {
	switch {
	case reg.Token != "":
		return auth.StaticCredential(host, auth.Credential{AccessToken: reg.Token})
	case reg.Username != "":
		return auth.StaticCredential(host, auth.Credential{Username: reg.Username, Password: reg.Password})
	case r.store != nil:
		fromFile := credentials.Credential(r.store)
		return func(ctx context.Context, hostport string) (auth.Credential, error) {
			cred, err := fromFile(ctx, hostport)
			if err != nil {
				r.log.Warn("credentials file lookup failed; pulling anonymously", "host", hostport, "err", err)
				return auth.EmptyCredential, nil
			}
			return cred, nil
		}
	}
	return nil
}

// transport builds an HTTP transport with reg's TLS settings.
func transport(reg Registry) (*http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = responseHeaderTimeout
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: reg.InsecureSkipVerify} //nolint:gosec // opt-in, per registry
	if reg.CA != "" {
		pem, err := os.ReadFile(reg.CA)
		if err != nil {
			return nil, fmt.Errorf("ca: cannot read %q: %w", reg.CA, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca: %q holds no PEM certificate", reg.CA)
		}
		tlsCfg.RootCAs = pool
	}
	tr.TLSClientConfig = tlsCfg
	return tr, nil
}

// close drops idle connections.
func (r *remotes) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, tr := range r.idle {
		tr.CloseIdleConnections()
	}
}

// expandHome replaces a leading "~/" with the user's home directory.
func expandHome(path string) (string, error) {
	rest, ok := strings.CutPrefix(path, "~/")
	if !ok {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, rest), nil
}
