package catalog

import (
	"context"
	"mime"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/registry"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
)

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

// VersionRef names a version and the registry it came from.
type VersionRef struct {
	Version  string `json:"version"`
	Registry string `json:"registry"`
}

// Version is one version of an application as a registry published it.
type Version struct {
	ID          string                   `json:"id"`
	Version     string                   `json:"version"`
	Registry    string                   `json:"registry"`
	Dir         string                   `json:"dir"`
	Revision    string                   `json:"revision"`
	Digest      string                   `json:"digest"`
	SyncedAt    time.Time                `json:"syncedAt"`
	Description *application.Description `json:"description"`
	Files       map[string][]byte        `json:"files,omitempty"` // stored; cleared by Version
	FileNames   []string                 `json:"fileNames,omitempty"`
}

// Applications returns one page of the catalog, by id.
func (m *Manager) Applications(ctx context.Context, page fleet.Page) ([]Application, string, error) {
	es, next, err := m.base.List(ctx, indexPrefix, page)
	if err != nil {
		return nil, "", err
	}
	out := make([]Application, 0, len(es))
	for _, e := range es {
		var a Application
		if err := codec.Decode(e, &a); err != nil {
			return nil, "", err
		}
		out = append(out, a)
	}
	return out, next, nil
}

// Application returns one application and its versions.
func (m *Manager) Application(ctx context.Context, id string) (*Application, error) {
	var a Application
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
func (m *Manager) Version(ctx context.Context, id, version string) (*Version, error) {
	v, err := m.version(ctx, id, version)
	if err != nil {
		return nil, err
	}
	for name := range v.Files {
		v.FileNames = append(v.FileNames, name)
	}
	slices.Sort(v.FileNames)
	v.Files = nil
	return v, nil
}

func (m *Manager) version(ctx context.Context, id, version string) (*Version, error) {
	var v Version
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
func (m *Manager) setIndex(ctx context.Context, id string, change func(refs []VersionRef) ([]VersionRef, []state.Op), latest func(string) *application.Description) error {
	return m.base.Retry(ctx, "application "+id, func() error {
		var a Application
		ver, _, err := m.base.Get(ctx, indexPrefix+id, &a)
		if err != nil {
			return err
		}
		refs, batch := change(slices.Clone(a.Versions))
		slices.SortFunc(refs, func(x, y VersionRef) int { return compareVersions(x.Version, y.Version) })
		if len(refs) == 0 {
			batch = append(batch, state.Op{Key: indexPrefix + id, Delete: true, If: state.IfVersion(ver)})
		} else {
			a = Application{ID: id, Versions: refs, Latest: refs[len(refs)-1].Version}
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
			if !slices.ContainsFunc(a.Versions, func(r VersionRef) bool { return r.Registry == reg }) {
				continue
			}
			err := m.setIndex(ctx, a.ID, func(refs []VersionRef) ([]VersionRef, []state.Op) {
				var ops []state.Op
				refs = slices.DeleteFunc(refs, func(r VersionRef) bool {
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
