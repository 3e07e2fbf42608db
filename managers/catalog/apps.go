package catalog

import (
	"context"
	"mime"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/registry"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
)

// storedVersion is a version as stored: the record served, and the
// package files (Version leaves them out, naming them in FileNames).
type storedVersion struct {
	fleet.ApplicationVersion
	Files map[string][]byte `json:"files,omitempty"`
}

// Applications returns one page of the catalog, by id.
func (m *Manager) Applications(ctx context.Context, page fleet.Page) ([]fleet.Application, string, error) {
	es, next, err := m.base.List(ctx, indexPrefix, page)
	if err != nil {
		return nil, "", err
	}
	out := make([]fleet.Application, 0, len(es))
	for _, e := range es {
		var a fleet.Application
		if err := codec.Decode(e, &a); err != nil {
			return nil, "", err
		}
		out = append(out, a)
	}
	return out, next, nil
}

// Application returns one application and its versions.
func (m *Manager) Application(ctx context.Context, id string) (*fleet.Application, error) {
	var a fleet.Application
	_, found, err := m.base.Get(ctx, indexPrefix+id, &a)
	if err == nil && !found {
		err = fault.New(fault.NotFound, "application %q not found", id)
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Version returns one version's metadata; FileNames lists its files.
func (m *Manager) Version(ctx context.Context, id, version string) (*fleet.ApplicationVersion, error) {
	v, err := m.version(ctx, id, version)
	if err != nil {
		return nil, err
	}
	out := v.ApplicationVersion
	out.FileNames = nil
	for name := range v.Files {
		out.FileNames = append(out.FileNames, name)
	}
	slices.Sort(out.FileNames)
	return &out, nil
}

func (m *Manager) version(ctx context.Context, id, version string) (*storedVersion, error) {
	var v storedVersion
	_, found, err := m.base.Get(ctx, appPrefix+id+"/"+version, &v)
	if err == nil && !found {
		err = fault.New(fault.NotFound, "application %q has no version %q", id, version)
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Resource returns a file of a version's package (the icon, the
// description file, margo.yaml itself) and its media type.
func (m *Manager) Resource(ctx context.Context, id, version, file string) ([]byte, string, error) {
	p, ok := application.CleanPath(file)
	if !ok {
		return nil, "", fault.New(fault.BadRequest, "resource path %q must be relative inside the package", file)
	}
	v, err := m.version(ctx, id, version)
	if err != nil {
		return nil, "", err
	}
	b, ok := v.Files[p]
	if !ok {
		return nil, "", fault.New(fault.NotFound, "application %s %s has no file %q", id, version, p)
	}
	return b, mediaType(p), nil
}

func mediaType(p string) string {
	switch ext := path.Ext(p); {
	case p == registry.DescriptionFile, ext == ".yaml", ext == ".yml":
		return "application/yaml"
	case ext == ".md":
		return "text/markdown; charset=utf-8"
	case mime.TypeByExtension(ext) != "":
		return mime.TypeByExtension(ext)
	}
	return "application/octet-stream"
}

// compareVersions orders versions by their dot-separated parts, numeric
// parts numerically ("1.10.0" > "1.9.2"), others as strings.
func compareVersions(a, b string) int {
	pa, pb := strings.FieldsFunc(a, sep), strings.FieldsFunc(b, sep)
	for i := range min(len(pa), len(pb)) {
		na, ea := strconv.ParseUint(pa[i], 10, 64)
		nb, eb := strconv.ParseUint(pb[i], 10, 64)
		switch {
		case ea == nil && eb == nil && na != nb:
			if na < nb {
				return -1
			}
			return 1
		case (ea != nil || eb != nil) && pa[i] != pb[i]:
			return strings.Compare(pa[i], pb[i])
		}
	}
	return len(pa) - len(pb)
}

func sep(r rune) bool { return r == '.' || r == '-' || r == '+' || r == '_' }

// setIndex rewrites the index entry of id from refs (deleting it when
// empty), taking the display fields from latest's description. change
// returns the new refs and the ops written in the same batch, which is
// conditioned on the index version read.
func (m *Manager) setIndex(ctx context.Context, id string, change func(refs []fleet.VersionRef) ([]fleet.VersionRef, []state.Op), latest func(string) *application.Description) error {
	return m.base.Retry(ctx, "application "+id, func() error {
		var a fleet.Application
		ver, _, err := m.base.Get(ctx, indexPrefix+id, &a)
		if err != nil {
			return err
		}
		refs, batch := change(slices.Clone(a.Versions))
		slices.SortFunc(refs, func(x, y fleet.VersionRef) int { return compareVersions(x.Version, y.Version) })
		if len(refs) == 0 {
			batch = append(batch, state.Op{Key: indexPrefix + id, Delete: true, If: state.IfVersion(ver)})
		} else {
			a = fleet.Application{ID: id, Versions: refs, Latest: refs[len(refs)-1].Version}
			if d := latest(a.Latest); d != nil {
				a.Name, a.Tagline, a.Icon = d.Name, d.Catalog.Tagline, d.Catalog.Icon
			}
			b, err := codec.Encode(a)
			if err != nil {
				return err
			}
			batch = append(batch, state.Op{Key: indexPrefix + id, Value: b, If: state.IfVersion(ver)})
		}
		_, err = m.base.Store.Batch(ctx, batch)
		return err
	})
}

// dropVersions deletes the versions that came from registry reg.
func (m *Manager) dropVersions(ctx context.Context, reg string) error {
	var page fleet.Page
	for {
		apps, next, err := m.Applications(ctx, page)
		if err != nil {
			return err
		}
		for _, a := range apps {
			if !slices.ContainsFunc(a.Versions, func(r fleet.VersionRef) bool { return r.Registry == reg }) {
				continue
			}
			err := m.setIndex(ctx, a.ID, func(refs []fleet.VersionRef) ([]fleet.VersionRef, []state.Op) {
				var ops []state.Op
				refs = slices.DeleteFunc(refs, func(r fleet.VersionRef) bool {
					if r.Registry == reg {
						ops = append(ops, state.Op{Key: appPrefix + a.ID + "/" + r.Version, Delete: true})
					}
					return r.Registry == reg
				})
				return refs, ops
			}, func(v string) *application.Description {
				if rec, err := m.version(ctx, a.ID, v); err == nil {
					return rec.Description
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		page.After = next
	}
}
