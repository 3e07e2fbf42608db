// Package compose is the Docker Compose workload provider (module id
// workload.compose, profile type "compose"). It runs each component of a
// deployment as one compose project on the local Docker engine, through
// Docker Compose v2 used as a library (no docker or compose binary needed).
//
// Apply fetches the component's package (Component.Repository, the Margo
// packageLocation: a compose file or a tar.gz archive holding one), checks
// its detached PGP signature when KeyLocation is set, loads it with
// compose-go, sets every parameter as an environment variable of every
// service (and as an interpolation variable of the compose file), and runs
// "compose up" (with --wait when Component.Wait). Compose's convergence
// recreates only the services whose configuration changed; named volumes
// survive upgrades and, unless removeVolumes is set, Remove.
//
// Layout: workDir/<project>/package holds the unpacked package (a stable
// working directory, so relative bind mounts do not change between
// revisions) and workDir/<project>/state.json the applied revision, the
// digest of what was applied and the generation counter
// (workload.DetailGeneration).
//
// Project names derive from the deployment id (the deployment name when the
// id is empty) and the component name: see ProjectName.
//
// Package locations: http(s) URLs are fetched with a bounded client
// trusting the system roots and the CAs of caFile (a private CA); local
// paths and file:// URLs are accepted when allowFileURLs is set (the
// default, for sandboxes and tests). oci:// references are pulled through
// the artifacts provider bound to the optional "artifacts" role (an
// artifacts.Puller such as artifacts.oras): the newest Margo format's
// repository "oci://HOST/REPO" with revision "1.2.3" is the reference
// "oci://HOST/REPO:1.2.3" ("+" written "_"); a P1 packageLocation that is an
// oci:// reference naming a tag or digest is used as it is. The puller
// verifies the manifest and layer digests and reports progress; the one
// content layer it returns (a tar.gz compose archive or a compose file, see
// OCIMediaTypes) is then handled exactly like a downloaded package. Without
// an artifacts role, an oci:// package fails with fault.BadRequest wrapping
// ErrNoArtifacts.
//
// Signatures: with Component.KeyLocation set, an http(s) or file package is
// checked against the detached PGP signature at location + ".asc"; an oci://
// package against the layer of media type MediaTypeSignature of the same
// manifest (pulled by the manifest digest of the package, so both come from
// one manifest). See Publish for the layout this provider reads.
package compose

import (
	"log/slog"
	"net/http"
	"sync"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/margo/profile"
)

// ID is the module id.
const ID = "workload.compose"

// ProfileType is the deployment profile type this provider runs.
const ProfileType = profile.Compose

// RoleArtifacts is the optional role of the artifacts.Puller that pulls
// oci:// packages.
const RoleArtifacts = "artifacts"

// Provider runs compose components. Build it with New, or let the host build
// it through the workload.compose registration (config, then Init).
type Provider struct {
	cfg    Config
	log    *slog.Logger
	puller artifacts.Puller // nil: oci:// packages are refused
	client *http.Client     // http(s) fetches: system roots plus caFile

	mu    sync.Mutex
	locks map[string]*sync.Mutex // per project: one Apply/Remove at a time
}

var (
	_ workload.Provider    = (*Provider)(nil)
	_ module.Configurable  = (*Provider)(nil)
	_ module.Initer        = (*Provider)(nil)
	_ module.HealthChecker = (*Provider)(nil)
	_ module.RoleDeclarer  = (*Provider)(nil)
)

// New returns a provider for cfg (Defaults are applied to zero fields, then
// Validate). puller pulls oci:// packages and may be nil (they are then
// refused); a nil logger discards.
func New(cfg Config, puller artifacts.Puller, log *slog.Logger) (*Provider, error) {
	cfg.fill()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Provider{cfg: cfg}
	if err := p.setup(puller, log); err != nil {
		return nil, err
	}
	return p, nil
}

// Roles declares the optional artifacts role that pulls oci:// packages.
func (p *Provider) Roles() []module.Role {
	return []module.Role{module.Want[artifacts.Puller](RoleArtifacts)}
}

// Types returns ["compose"].
func (p *Provider) Types() []string { return []string{ProfileType} }

// lock serialises operations on one project and returns the unlock.
func (p *Provider) lock(project string) func() {
	p.mu.Lock()
	if p.locks == nil {
		p.locks = map[string]*sync.Mutex{}
	}
	l, ok := p.locks[project]
	if !ok {
		l = &sync.Mutex{}
		p.locks[project] = l
	}
	p.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// busy reports whether an Apply or Remove of project is running in this
// process.
func (p *Provider) busy(project string) bool {
	p.mu.Lock()
	l, ok := p.locks[project]
	p.mu.Unlock()
	if !ok {
		return false
	}
	if l.TryLock() {
		l.Unlock()
		return false
	}
	return true
}
