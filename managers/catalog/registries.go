package catalog

import (
	"context"
	"regexp"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
)

// Key prefixes of the storage layout.
const (
	registryPrefix = "catalog/registry/"
	appPrefix      = "catalog/app/"
	indexPrefix    = "catalog/index/"
)

var namePattern = regexp.MustCompile(`^[a-z0-9][-a-z0-9]{0,62}$`)

// Spec is what AddRegistry takes: where a registry is and how to reach it.
// It holds no secret: SecretEnv names the environment variable holding
// the password or token (see the package doc).
type Spec struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	Ref       string `json:"ref,omitempty"`
	Path      string `json:"path,omitempty"`
	Username  string `json:"username,omitempty"`
	SecretEnv string `json:"secretEnv,omitempty"`
}

// Registry is a stored registry: its spec and the outcome of its syncs.
type Registry struct {
	Spec
	LastSync     time.Time       `json:"lastSync,omitzero"`
	LastRevision string          `json:"lastRevision,omitempty"`
	LastError    *Problem        `json:"lastError,omitempty"`
	Packages     []PackageStatus `json:"packages,omitempty"`
}

// Problem is a recorded error.
type Problem struct {
	Code    fault.Code `json:"code"`
	Message string     `json:"message"`
}

// PackageStatus is the outcome of one package of the last fetched revision.
type PackageStatus struct {
	Dir        string            `json:"dir"`
	File       string            `json:"file"` // the description's path in the registry
	ID         string            `json:"id,omitempty"`
	Version    string            `json:"version,omitempty"`
	Error      *Problem          `json:"error,omitempty"`
	Violations []fault.Violation `json:"violations,omitempty"`
}

func problem(err error) *Problem {
	fe := fault.As(err)
	return &Problem{Code: fe.Code, Message: err.Error()}
}

// AddRegistry stores a new registry (Conflict when the name is taken). It
// does not sync it: call Sync, or wait for the next reconcile.
func (m *Manager) AddRegistry(ctx context.Context, s Spec) (*Registry, error) {
	var vs []fault.Violation
	if !namePattern.MatchString(s.Name) {
		vs = append(vs, fault.Violation{Field: "name", Message: "must match " + namePattern.String()})
	}
	if s.URL == "" {
		vs = append(vs, fault.Violation{Field: "url", Message: "is required"})
	}
	if len(vs) > 0 {
		return nil, fault.New(fault.BadRequest, "invalid registry").WithViolations(vs)
	}
	r := &Registry{Spec: s}
	b, err := codec.Encode(r)
	if err != nil {
		return nil, err
	}
	if _, err := m.base.Store.Put(ctx, registryPrefix+s.Name, b, state.IfAbsent()); err != nil {
		if fault.Is(err, fault.Conflict) {
			return nil, fault.New(fault.Conflict, "registry %q already exists", s.Name)
		}
		return nil, err
	}
	m.base.Log.InfoContext(ctx, "registry added", "registry", s.Name, "url", s.URL, "ref", s.Ref, "path", s.Path)
	return r, nil
}

// Registry returns one registry (NotFound when unknown).
func (m *Manager) Registry(ctx context.Context, name string) (*Registry, error) {
	var r Registry
	_, found, err := m.base.Get(ctx, registryPrefix+name, &r)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fault.New(fault.NotFound, "registry %q not found", name)
	}
	return &r, nil
}

// Registries returns every registry, by name.
func (m *Manager) Registries(ctx context.Context) ([]Registry, error) {
	var out []Registry
	page := fleet.Page{Limit: state.MaxPageSize}
	for {
		es, next, err := m.base.List(ctx, registryPrefix, page)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			var r Registry
			if err := codec.Decode(e, &r); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		if next == "" {
			return out, nil
		}
		page.After = next
	}
}

// RemoveRegistry deletes a registry and the application versions that came
// from it (NotFound when unknown).
func (m *Manager) RemoveRegistry(ctx context.Context, name string) error {
	return m.base.Locked(name, func() error {
		if _, err := m.Registry(ctx, name); err != nil {
			return err
		}
		if err := m.dropVersions(ctx, name); err != nil {
			return err
		}
		if err := m.base.Store.Delete(ctx, registryPrefix+name, state.Always()); err != nil {
			return err
		}
		m.base.Log.InfoContext(ctx, "registry removed", "registry", name)
		return nil
	})
}
