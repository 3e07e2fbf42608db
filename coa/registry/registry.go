// Package registry is the contract of application registry providers
// (registry.git): a Provider reads one revision of a registry, a source of
// Margo application packages, and returns every package it holds.
//
//	snap, err := p.Fetch(ctx, registry.Registry{URL: "https://git.example/apps.git", Ref: "main", Path: "apps"})
//	// snap.Revision is the commit read; snap.Packages the packages under apps/.
//
// A package is a folder holding exactly one ApplicationDescription file
// (DescriptionFile) at its root, together with every file below it that is
// not in a nested package. Providers are read-only.
//
// Errors of Fetch carry a fault code (see package fault):
//
//	BadRequest    the URL is malformed or of a scheme the provider does not serve
//	NotFound      no such repository, ref, or Path inside it
//	Unauthorized  the source wants credentials (none, or wrong ones)
//	Unavailable   the source cannot be reached or failed
//	Canceled/Timeout  the caller's context ended
//
// A problem with one package (several description files, too many files,
// too many bytes) never fails Fetch: it is reported in that Package's Err
// and the other packages are returned as usual.
package registry

import (
	"context"
	"strings"
)

// DescriptionFile is the name of the ApplicationDescription at a package root.
const DescriptionFile = "margo.yaml"

// Registry names a registry and how to read it.
type Registry struct {
	URL  string `json:"url"`            // repository URL or local path
	Ref  string `json:"ref,omitempty"`  // branch or tag; "" is the default branch (HEAD)
	Path string `json:"path,omitempty"` // sub-folder holding the packages; "" is the root
	Auth Auth   `json:"-"`              // never serialised
}

// Auth are a registry's credentials. Username+Password is basic auth;
// Token alone is a bearer token; Username+Token sends the token as the
// basic-auth password (what most git hosts expect).
type Auth struct {
	Username string
	Password string
	Token    string
}

// Empty reports whether no credentials are set.
func (a Auth) Empty() bool { return a.Username == "" && a.Password == "" && a.Token == "" }

// Snapshot is one revision of a registry.
type Snapshot struct {
	Revision string    // the source revision read (a commit hash for git)
	Packages []Package // sorted by Dir
}

// Package is one application package.
type Package struct {
	// Dir is the package folder relative to Registry.Path ("." for Path itself).
	Dir string
	// Files maps package-relative, slash-separated paths to contents; it
	// holds DescriptionFile. It is nil when Err is set.
	Files map[string][]byte
	// Err is why the package could not be read (fault coded: Unprocessable
	// for an ambiguous description, TooLarge for a bound exceeded).
	Err error
}

// Provider reads registries. Implementations are safe for concurrent use.
type Provider interface {
	// Fetch reads the current revision of reg.
	Fetch(ctx context.Context, reg Registry) (*Snapshot, error)
}

// IsDescription reports whether a file name (no folder) is an
// ApplicationDescription name: margo.yaml, margo.yml, in any case. A
// folder with more than one is ambiguous.
func IsDescription(name string) bool {
	n := strings.ToLower(name)
	return n == DescriptionFile || n == "margo.yml"
}
