package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"slices"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/registry"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// Sync fetches a registry now and updates the catalog; it returns the
// registry with the outcome recorded. A fetch failure is recorded as
// lastError and returned; invalid packages are recorded, not returned.
func (m *Manager) Sync(ctx context.Context, name string) (*fleet.Registry, error) {
	var out *fleet.Registry
	err := m.base.Locked(name, func() error {
		var err error
		out, err = m.sync(ctx, name)
		return err
	})
	return out, err
}

func (m *Manager) sync(ctx context.Context, name string) (*fleet.Registry, error) {
	var r fleet.Registry
	ver, found, err := m.base.Get(ctx, registryPrefix+name, &r)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fault.New(fault.NotFound, "registry %q not found", name)
	}
	fctx, cancel := context.WithTimeout(ctx, m.cfg.SyncTimeout.D())
	defer cancel()
	reg := registry.Registry{URL: r.URL, Ref: r.Ref, Path: r.Path}
	reg.Auth, err = m.auth(r.RegistrySpec)
	var snap *registry.Snapshot
	if err == nil {
		snap, err = m.provider.Fetch(fctx, reg)
	}
	r.LastSync = m.base.Now().UTC()
	if err != nil {
		r.LastError = problem(err)
		m.base.Log.WarnContext(ctx, "registry fetch failed", "registry", name, "code", r.LastError.Code, "err", err)
		if serr := m.saveRegistry(ctx, &r, ver); serr != nil {
			return nil, serr
		}
		m.publish(ctx, fleet.CatalogEvent{Registry: name, Kind: fleet.CatalogFailed, Code: r.LastError.Code})
		return &r, err
	}
	ev := fleet.CatalogEvent{Registry: name, Kind: fleet.CatalogSynced, Revision: snap.Revision}
	if snap.Revision != r.LastRevision || r.LastError != nil || r.Packages == nil {
		statuses, added, err := m.apply(ctx, &r, snap)
		if err != nil {
			return nil, err
		}
		r.Packages, ev.Added = statuses, added
		for _, s := range statuses {
			if s.Error != nil {
				ev.Invalid = append(ev.Invalid, s.Dir)
			}
		}
	}
	r.LastRevision, r.LastError = snap.Revision, nil
	if err := m.saveRegistry(ctx, &r, ver); err != nil {
		return nil, err
	}
	m.base.Log.InfoContext(ctx, "registry synced", "registry", name, "revision", snap.Revision, "added", len(ev.Added), "invalid", len(ev.Invalid))
	m.publish(ctx, ev)
	return &r, nil
}

// apply records every package of snap; only a state failure is returned.
func (m *Manager) apply(ctx context.Context, r *fleet.Registry, snap *registry.Snapshot) ([]fleet.PackageStatus, []string, error) {
	statuses := make([]fleet.PackageStatus, 0, len(snap.Packages))
	var added []string
	seen := map[string]string{}
	for _, pkg := range snap.Packages {
		st := fleet.PackageStatus{Dir: pkg.Dir, File: path.Join(r.Path, pkg.Dir, registry.DescriptionFile)}
		d, err := check(pkg)
		if err == nil {
			st.ID, st.Version = d.ID, d.Version
			if other, dup := seen[d.ID+"@"+d.Version]; dup {
				err = fault.New(fault.Conflict, "%s %s is also published by package %s", d.ID, d.Version, other)
			}
		}
		if err != nil {
			st.Error, st.Violations = problem(err), fault.As(err).Violations
			statuses = append(statuses, st)
			m.base.Log.WarnContext(ctx, "invalid application package", "registry", r.Name, "file", st.File, "err", err)
			continue
		}
		seen[d.ID+"@"+d.Version] = pkg.Dir
		changed, err := m.putVersion(ctx, r.Name, snap.Revision, pkg, d)
		if err != nil {
			return nil, nil, err
		}
		if changed {
			added = append(added, d.ID+"@"+d.Version)
		}
		statuses = append(statuses, st)
	}
	return statuses, added, nil
}

// check parses a package and checks that the files its catalog metadata
// names are in it.
func check(pkg registry.Package) (*application.Description, error) {
	if pkg.Err != nil {
		return nil, pkg.Err
	}
	d, err := application.Parse(pkg.Files[registry.DescriptionFile])
	if err != nil {
		return nil, err
	}
	var vs []fault.Violation
	for field, f := range map[string]string{"icon": d.Catalog.Icon, "descriptionFile": d.Catalog.DescriptionFile, "licenseFile": d.Catalog.LicenseFile} {
		if _, ok := pkg.Files[f]; f != "" && !strings.Contains(f, "://") && !ok {
			vs = append(vs, fault.Violation{Field: "metadata.catalog.application." + field, Message: "names " + f + ", which is not in the package"})
		}
	}
	if err := document.Unprocessable(vs); err != nil {
		return nil, err
	}
	return d, nil
}

// putVersion stores a version unless it is stored with the same content
// from the same registry; it reports whether it wrote.
func (m *Manager) putVersion(ctx context.Context, reg, revision string, pkg registry.Package, d *application.Description) (bool, error) {
	digest := digestFiles(pkg.Files)
	old, err := m.version(ctx, d.ID, d.Version)
	switch {
	case err == nil && old.Digest == digest && old.Registry == reg:
		return false, nil
	case err != nil && !fault.Is(err, fault.NotFound):
		return false, err
	}
	v := storedVersion{ApplicationVersion: fleet.ApplicationVersion{ID: d.ID, Version: d.Version, Registry: reg, Dir: pkg.Dir, Revision: revision,
		Digest: digest, SyncedAt: m.base.Now().UTC(), Description: d}, Files: pkg.Files}
	b, err := codec.Encode(v)
	if err != nil {
		return false, err
	}
	err = m.setIndex(ctx, d.ID, func(refs []fleet.VersionRef) ([]fleet.VersionRef, []state.Op) {
		refs = slices.DeleteFunc(refs, func(r fleet.VersionRef) bool { return r.Version == d.Version })
		refs = append(refs, fleet.VersionRef{Version: d.Version, Registry: reg})
		return refs, []state.Op{{Key: appPrefix + d.ID + "/" + d.Version, Value: b}}
	}, func(ver string) *application.Description {
		if ver == d.Version {
			return d
		}
		if rec, err := m.version(ctx, d.ID, ver); err == nil {
			return rec.Description
		}
		return nil
	})
	return err == nil, err
}

// digestFiles hashes a package's file names and contents.
func digestFiles(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(files[n])
		h.Write([]byte{0})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// auth reads the registry's secret from the environment.
func (m *Manager) auth(s fleet.RegistrySpec) (registry.Auth, error) {
	if s.SecretEnv == "" {
		return registry.Auth{Username: s.Username}, nil
	}
	secret, ok := m.LookupEnv(s.SecretEnv)
	if !ok {
		return registry.Auth{}, fault.New(fault.BadRequest, "registry %s: secret environment variable %s is not set", s.Name, s.SecretEnv)
	}
	if s.Username != "" {
		return registry.Auth{Username: s.Username, Password: secret}, nil
	}
	return registry.Auth{Token: secret}, nil
}

// saveRegistry writes r if its record is still at version ver.
func (m *Manager) saveRegistry(ctx context.Context, r *fleet.Registry, ver uint64) error {
	b, err := codec.Encode(r)
	if err != nil {
		return err
	}
	_, err = m.base.Store.Put(ctx, registryPrefix+r.Name, b, state.IfVersion(ver))
	if fault.Is(err, fault.Conflict) {
		return fault.Wrap(err, fault.Conflict, "registry %s changed or was removed during its sync", r.Name)
	}
	return err
}

func (m *Manager) publish(ctx context.Context, ev fleet.CatalogEvent) {
	if err := m.base.Publish(ctx, Topic, ev); err != nil {
		m.base.Log.WarnContext(ctx, "publishing catalog event failed", "err", err)
	}
}
