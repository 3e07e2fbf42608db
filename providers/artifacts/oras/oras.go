// Package oras is the OCI artifact puller (module id artifacts.oras), built
// on oras-go v2: Helm charts and Compose archives pulled by reference from
// OCI registries and local OCI layout directories into a digest-addressed
// cache.
//
// Transport. A registry is reached over HTTPS trusting the system CAs plus
// the registry's configured CA, or over plain HTTP only when its config says
// plainHTTP: never guessed from "localhost" or a port number. A plain-HTTP
// registry reached over HTTPS fails with an error naming the setting.
//
// Mirrors. A registry whose config sets layout is never contacted: its
// references are read from local OCI layout directories, one per
// repository (oci://HOST/REPO:TAG from LAYOUT/REPO), with the same digest
// checks and cache.
//
// Authentication. Per registry: anonymous, basic (username and password,
// also used for the registry's token service) or a bearer access token;
// otherwise the Docker-style credentials file, if configured.
//
// Integrity. Every manifest and blob is verified against its digest and
// size while it streams; content is written to a temporary file, synced
// and renamed into the cache (cacheDir/blobs/sha256/HEX) only once
// verified. Cache hits check the file's size. Manifests are cached by
// digest too, so a pull by digest of cached content needs no network.
//
// Failures. Transient errors (network, 5xx, 429) are retried with
// exponential backoff; the others fail at once with their fault code (see
// package artifacts). A pull is bounded by the configured timeout.
package oras

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
)

// ID is the module id.
const ID = "artifacts.oras"

// Puller pulls artifacts with oras-go. Build it with New, or let the host
// build it through the artifacts.oras registration (config, then Init).
type Puller struct {
	cfg     Config
	log     *slog.Logger
	cache   *cache
	remotes *remotes
}

var (
	_ artifacts.Puller     = (*Puller)(nil)
	_ module.Configurable  = (*Puller)(nil)
	_ module.Initer        = (*Puller)(nil)
	_ module.Closer        = (*Puller)(nil)
	_ module.HealthChecker = (*Puller)(nil)
)

// New returns a ready Puller for cfg (defaults are not applied: start from
// a Config whose Defaults method was called). logger may be nil.
func New(cfg Config, logger *slog.Logger) (*Puller, error) {
	p := &Puller{cfg: cfg}
	if err := p.open(logger); err != nil {
		return nil, err
	}
	return p, nil
}

// ConfigTarget returns the config struct for the host to decode into.
func (p *Puller) ConfigTarget() any { return &p.cfg }

// Init opens the cache and reads the registries' CA files and the
// credentials file.
func (p *Puller) Init(_ context.Context, env *module.Env) error {
	var logger *slog.Logger
	if env != nil {
		logger = env.Logger
	}
	return p.open(logger)
}

func (p *Puller) open(logger *slog.Logger) error {
	if err := p.cfg.Validate(); err != nil {
		return err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	p.log = logger.With("module", ID)
	c, err := openCache(p.cfg.CacheDir, p.log)
	if err != nil {
		return err
	}
	r, err := newRemotes(p.cfg, p.log)
	if err != nil {
		return err
	}
	p.cache, p.remotes = c, r
	p.log.Info("artifact cache open", "dir", c.dir, "registries", len(p.cfg.Registries), "layouts", len(p.cfg.Layouts))
	return nil
}

// Close releases idle connections. Pulls still running finish or fail on
// their own contexts.
func (p *Puller) Close(context.Context) error {
	if p.remotes != nil {
		p.remotes.close()
	}
	return nil
}

// Health returns nil while the cache directory is usable.
func (p *Puller) Health(context.Context) error {
	if p.cache == nil {
		return fault.New(fault.Unavailable, "%s is not initialised", ID)
	}
	f, err := os.CreateTemp(p.cache.tmp, "health-*")
	if err != nil {
		return fault.Wrap(err, fault.Unavailable, "artifact cache %q is not writable", p.cache.dir)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("artifact cache health probe: %w", err)
	}
	return nil
}
