package catalog

import (
	"context"
	"regexp"

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

// problem is err as recorded on a registry or package.
func problem(err error) *fleet.ErrorRecord {
	fe := fault.As(err)
	return &fleet.ErrorRecord{Code: fe.Code, Message: err.Error()}
}

// AddRegistry stores a new registry (Conflict when the name is taken). It
// does not sync it: call Sync, or wait for the next reconcile.
func (m *Manager) AddRegistry(ctx context.Context, s fleet.RegistrySpec) (*fleet.Registry, error) {
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
	r := &fleet.Registry{RegistrySpec: s}
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
func (m *Manager) Registry(ctx context.Context, name string) (*fleet.Registry, error) {
	var r fleet.Registry
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
func (m *Manager) Registries(ctx context.Context) ([]fleet.Registry, error) {
	var out []fleet.Registry
	page := fleet.Page{Limit: state.MaxPageSize}
	for {
		es, next, err := m.base.List(ctx, registryPrefix, page)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			var r fleet.Registry
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
