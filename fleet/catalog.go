package fleet

import (
	"context"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/application"
)

// RegistrySpec is where an application registry is and how to reach it:
// the body of POST /registries. It holds no secret: SecretEnv names the
// WFM's environment variable holding the password or token.
type RegistrySpec struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	Ref       string `json:"ref,omitempty"`
	Path      string `json:"path,omitempty"`
	Username  string `json:"username,omitempty"`
	SecretEnv string `json:"secretEnv,omitempty"`
}

// Registry is a stored registry: its spec and the outcome of its syncs.
type Registry struct {
	RegistrySpec
	LastSync     time.Time       `json:"lastSync,omitzero"`
	LastRevision string          `json:"lastRevision,omitempty"`
	LastError    *ErrorRecord    `json:"lastError,omitempty"`
	Packages     []PackageStatus `json:"packages,omitempty"`
}

// ErrorRecord is an error recorded on a registry or one of its packages.
type ErrorRecord struct {
	Code    fault.Code `json:"code"`
	Message string     `json:"message"`
}

// PackageStatus is the outcome of one package of a registry's last
// fetched revision.
type PackageStatus struct {
	Dir        string            `json:"dir"`
	File       string            `json:"file"` // the description's path in the registry
	ID         string            `json:"id,omitempty"`
	Version    string            `json:"version,omitempty"`
	Error      *ErrorRecord      `json:"error,omitempty"`
	Violations []fault.Violation `json:"violations,omitempty"`
}

// Application is a catalog entry: one application id and its versions.
// Name, Tagline and Icon are the latest version's.
type Application struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	Tagline  string       `json:"tagline,omitempty"`
	Icon     string       `json:"icon,omitempty"`
	Latest   string       `json:"latest"`
	Versions []VersionRef `json:"versions"`
}

// VersionRef names a version of an application and the registry it came from.
type VersionRef struct {
	Version  string `json:"version"`
	Registry string `json:"registry"`
}

// ApplicationVersion is one version of an application as a registry
// published it: its normalised description and the names of its package
// files.
type ApplicationVersion struct {
	ID          string                   `json:"id"`
	Version     string                   `json:"version"`
	Registry    string                   `json:"registry"`
	Dir         string                   `json:"dir"`
	Revision    string                   `json:"revision"`
	Digest      string                   `json:"digest"`
	SyncedAt    time.Time                `json:"syncedAt"`
	Description *application.Description `json:"description"`
	FileNames   []string                 `json:"fileNames,omitempty"`
}

// Catalog owns the application catalog: registries of Margo application
// packages and the application versions they publish (managers.catalog).
type Catalog interface {
	// AddRegistry stores a new registry without syncing it. Errors:
	// fault.BadRequest for a bad spec, fault.Conflict for a taken name.
	AddRegistry(ctx context.Context, s RegistrySpec) (*Registry, error)
	// Registry returns one registry; fault.NotFound when unknown.
	Registry(ctx context.Context, name string) (*Registry, error)
	// Registries returns every registry, by name.
	Registries(ctx context.Context) ([]Registry, error)
	// RemoveRegistry deletes a registry and the application versions that
	// came from it; fault.NotFound when unknown.
	RemoveRegistry(ctx context.Context, name string) error
	// Sync fetches a registry now and returns it with the outcome recorded;
	// a failed fetch is its LastError, returned as the error too.
	Sync(ctx context.Context, name string) (*Registry, error)
	// Applications returns one page of the catalog, by id.
	Applications(ctx context.Context, page Page) ([]Application, string, error)
	// Application returns one application; fault.NotFound when unknown.
	Application(ctx context.Context, id string) (*Application, error)
	// Version returns one version of an application; fault.NotFound when unknown.
	Version(ctx context.Context, id, version string) (*ApplicationVersion, error)
	// Resource returns a file of a version's package and its media type.
	Resource(ctx context.Context, id, version, file string) ([]byte, string, error)
}
