// Package git is registry.git, a registry.Provider reading application
// packages from git repositories.
//
// Remote repositories (http://, https://) are cloned into memory: go-git
// with memory storage, no worktree, depth 1, the one branch or tag asked
// for, no other tags; nothing is written to disk and no git binary is
// needed. The ref is first resolved with a ls-remote, so a missing ref is
// NotFound before anything is downloaded. Local repositories (an absolute
// path or a file:// URL, bare or not; only with allowLocal) are opened in
// place, read-only. Packages are read from the commit's tree, never from a
// checkout.
//
// Credentials: Username+Password is basic auth; Username+Token sends the
// token as the basic-auth password (GitHub, Gitea); Token alone is sent as
// "Authorization: Bearer". Errors are mapped to the registry contract's
// fault codes (401 and 403 are both Unauthorized).
package git

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/registry"
)

// Provider is registry.git.
type Provider struct {
	cfg Config
	log *slog.Logger
}

var _ registry.Provider = (*Provider)(nil)

// New returns a provider with cfg; zero fields take their defaults.
func New(cfg Config) *Provider {
	var d Config
	d.Defaults()
	if cfg.Timeout <= 0 {
		cfg.Timeout = d.Timeout
	}
	if cfg.MaxPackageBytes <= 0 {
		cfg.MaxPackageBytes = d.MaxPackageBytes
	}
	if cfg.MaxPackageFiles <= 0 {
		cfg.MaxPackageFiles = d.MaxPackageFiles
	}
	return &Provider{cfg: cfg, log: slog.Default()}
}

// ConfigTarget implements module.Configurable.
func (p *Provider) ConfigTarget() any { return &p.cfg }

// Init takes the logger.
func (p *Provider) Init(_ context.Context, env *module.Env) error {
	if env.Logger != nil {
		p.log = env.Logger
	}
	return nil
}

// Fetch implements registry.Provider.
func (p *Provider) Fetch(ctx context.Context, reg registry.Registry) (*registry.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError(err)
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout.D())
	defer cancel()
	sub, ok := cleanSub(reg.Path)
	if !ok {
		return nil, fault.New(fault.BadRequest, "registry path %q must be relative and stay inside the repository", reg.Path)
	}
	local, remote, err := p.location(reg.URL)
	if err != nil {
		return nil, err
	}
	var repo *gogit.Repository
	var commit *object.Commit
	if local != "" {
		repo, err = openLocal(local)
		if err == nil {
			commit, err = localCommit(repo, reg.Ref)
		}
	} else {
		commit, err = cloneCommit(ctx, remote, reg.Ref, auth(reg.Auth))
	}
	if err != nil {
		return nil, err
	}
	snap, err := p.packages(ctx, commit, sub)
	if err != nil {
		return nil, err
	}
	p.log.DebugContext(ctx, "registry fetched", "url", redact(reg.URL), "ref", reg.Ref, "revision", snap.Revision, "packages", len(snap.Packages))
	return snap, nil
}

// location splits a registry URL into a local path or a remote URL.
func (p *Provider) location(raw string) (local, remote string, err error) {
	switch {
	case strings.HasPrefix(raw, "http://"), strings.HasPrefix(raw, "https://"):
		u, perr := url.Parse(raw)
		if perr != nil || u.Host == "" {
			return "", "", fault.New(fault.BadRequest, "registry URL %q is not a valid URL", redact(raw))
		}
		return "", raw, nil
	case strings.HasPrefix(raw, "file://"):
		local = strings.TrimPrefix(raw, "file://")
	case filepath.IsAbs(raw):
		local = raw
	default:
		return "", "", fault.New(fault.BadRequest, "registry URL %q must be http(s)://, file:// or an absolute path", redact(raw))
	}
	if !p.cfg.AllowLocal {
		return "", "", fault.New(fault.BadRequest, "local registry %q refused: registry.git has allowLocal off", raw)
	}
	if !filepath.IsAbs(local) {
		return "", "", fault.New(fault.BadRequest, "local registry %q must be an absolute path", raw)
	}
	return filepath.Clean(local), "", nil
}

// openLocal opens a local repository read-only (go-git writes nothing
// unless asked to).
func openLocal(dir string) (*gogit.Repository, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fault.Wrap(err, fault.NotFound, "local registry %s", dir)
	}
	repo, err := gogit.PlainOpenWithOptions(dir, &gogit.PlainOpenOptions{EnableDotGitCommonDir: true})
	if errors.Is(err, gogit.ErrRepositoryNotExists) {
		return nil, fault.Wrap(err, fault.NotFound, "%s is not a git repository", dir)
	}
	if err != nil {
		return nil, fault.Wrap(err, fault.Unavailable, "opening %s", dir)
	}
	return repo, nil
}

// localCommit resolves ref ("" = HEAD; else a branch, then a tag).
func localCommit(repo *gogit.Repository, ref string) (*object.Commit, error) {
	var names []plumbing.ReferenceName
	if ref == "" {
		names = []plumbing.ReferenceName{plumbing.HEAD}
	} else {
		names = []plumbing.ReferenceName{plumbing.NewBranchReferenceName(ref), plumbing.NewTagReferenceName(ref)}
	}
	for _, n := range names {
		r, err := repo.Reference(n, true)
		if err != nil {
			continue
		}
		return peel(repo, r.Hash())
	}
	return nil, fault.New(fault.NotFound, "ref %q not found", refName(ref))
}

// peel returns the commit h names, through annotated tags.
func peel(repo *gogit.Repository, h plumbing.Hash) (*object.Commit, error) {
	for range 10 {
		if tag, err := repo.TagObject(h); err == nil {
			h = tag.Target
			continue
		}
		c, err := repo.CommitObject(h)
		if err != nil {
			return nil, fault.Wrap(err, fault.NotFound, "object %s is not a commit", h)
		}
		return c, nil
	}
	return nil, fault.New(fault.NotFound, "tag chain at %s too long", h)
}

// cloneCommit lists the remote, then clones the one ref into memory.
func cloneCommit(ctx context.Context, u, ref string, a transport.AuthMethod) (*object.Commit, error) {
	rem := gogit.NewRemote(memory.NewStorage(), &gitconfig.RemoteConfig{Name: "origin", URLs: []string{u}})
	refs, err := rem.ListContext(ctx, &gogit.ListOptions{Auth: a})
	if err != nil {
		return nil, remoteError(ctx, err, u)
	}
	name, err := pick(refs, ref)
	if err != nil {
		return nil, err
	}
	repo, err := gogit.CloneContext(ctx, memory.NewStorage(), nil, &gogit.CloneOptions{
		URL: u, Auth: a, ReferenceName: name, SingleBranch: true, Depth: 1, NoCheckout: true, Tags: gogit.NoTags,
	})
	if err != nil {
		return nil, remoteError(ctx, err, u)
	}
	r, err := repo.Reference(name, true)
	if err != nil {
		r, err = repo.Head()
	}
	if err != nil {
		return nil, fault.Wrap(err, fault.Unavailable, "clone of %s has no %s", redact(u), name)
	}
	return peel(repo, r.Hash())
}

// pick finds the full name of ref in a ls-remote listing.
func pick(refs []*plumbing.Reference, ref string) (plumbing.ReferenceName, error) {
	want := []plumbing.ReferenceName{plumbing.NewBranchReferenceName(ref), plumbing.NewTagReferenceName(ref)}
	if ref == "" {
		for _, r := range refs {
			if r.Name() == plumbing.HEAD && r.Type() == plumbing.SymbolicReference {
				return r.Target(), nil
			}
		}
		want = []plumbing.ReferenceName{plumbing.HEAD}
	}
	for _, w := range want {
		for _, r := range refs {
			if r.Name() == w {
				return w, nil
			}
		}
	}
	return "", fault.New(fault.NotFound, "ref %q not found", refName(ref))
}

func refName(ref string) string {
	if ref == "" {
		return "HEAD"
	}
	return ref
}

// auth maps registry credentials to a go-git auth method.
func auth(a registry.Auth) transport.AuthMethod {
	switch {
	case a.Token != "" && a.Username != "":
		return &githttp.BasicAuth{Username: a.Username, Password: a.Token}
	case a.Token != "":
		return &githttp.TokenAuth{Token: a.Token}
	case a.Username != "" || a.Password != "":
		return &githttp.BasicAuth{Username: a.Username, Password: a.Password}
	}
	return nil
}
