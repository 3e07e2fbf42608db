package deployment

import (
	"context"
	"math"
	"slices"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
	"github.com/cadenza-edge/cadenza/margo/bundle"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// Manifest returns the client's current manifest. A client that never had
// one gets version 1 (no deployments, bundle null), persisted so that the
// version sequence is durable.
func (m *Manager) Manifest(ctx context.Context, client string) (fleet.ManifestView, error) {
	if err := base.CheckClient(client); err != nil {
		return fleet.ManifestView{}, err
	}
	for range 2 {
		mr, ver, err := m.loadManifest(ctx, client)
		if err != nil {
			return fleet.ManifestView{}, err
		}
		if ver > 0 {
			return view(mr), nil
		}
		b, err := encodeManifest(mr)
		if err != nil {
			return fleet.ManifestView{}, err
		}
		_, err = m.base.Store.Put(ctx, manifestKey(client), b, state.IfAbsent())
		if err == nil {
			return view(mr), nil
		}
		if !fault.Is(err, fault.Conflict) {
			return fleet.ManifestView{}, err
		}
		// Someone wrote the first manifest (or a change) meanwhile: read it.
	}
	return fleet.ManifestView{}, fault.New(fault.Unavailable, "manifest of client %s keeps changing", client)
}

// view turns a stored manifest into what vendors serve.
func view(mr manifestRecord) fleet.ManifestView {
	return fleet.ManifestView{Version: mr.Version, Body: mr.Body, ETag: mr.ETag}
}

// loadManifest reads the client's manifest record and its store version.
// When absent it returns the implicit first manifest (version 1, empty)
// with store version 0.
func (m *Manager) loadManifest(ctx context.Context, client string) (manifestRecord, uint64, error) {
	e, err := m.base.Store.Get(ctx, manifestKey(client))
	if fault.Is(err, fault.NotFound) {
		mr, err := m.render(client, 1, nil)
		return mr.rec, 0, err
	}
	if err != nil {
		return manifestRecord{}, 0, err
	}
	mr, err := decodeManifest(e)
	return mr, e.Version, err
}

// active is a deployment listed in a manifest.
type active struct {
	id   string
	yaml []byte
}

// rendered is a manifest ready to store: its record and its bundle bytes
// (nil without deployments).
type rendered struct {
	rec    manifestRecord
	bundle []byte
}

// render builds manifest version v over the deployments ds.
func (m *Manager) render(client string, v uint64, ds []active) (rendered, error) {
	doc := document.Manifest{ManifestVersion: v, Deployments: make([]document.DeploymentRef, 0, len(ds))}
	var out rendered
	if len(ds) > 0 {
		entries := make([]bundle.Entry, len(ds))
		for i, d := range ds {
			dig := document.DigestOf(d.yaml)
			doc.Deployments = append(doc.Deployments, document.DeploymentRef{
				DeploymentID: d.id, Digest: dig, SizeBytes: uint64(len(d.yaml)),
				URL: m.cfg.URLPrefix + "/clients/" + client + "/deployments/" + d.id + "/" + dig,
			})
			entries[i] = bundle.Entry{Name: bundle.EntryName(d.id), Data: d.yaml}
		}
		b, err := bundle.Write(entries)
		if err != nil {
			return rendered{}, err
		}
		dig := document.DigestOf(b)
		doc.Bundle = &document.BundleRef{MediaType: document.BundleMediaType, Digest: dig, SizeBytes: uint64(len(b)),
			URL: m.cfg.URLPrefix + "/clients/" + client + "/bundles/" + dig}
		out.bundle, out.rec.BundleDigest = b, dig
	}
	body, err := doc.Canonical()
	if err != nil {
		return rendered{}, err
	}
	out.rec.Version, out.rec.Body, out.rec.ETag = v, body, `"`+document.DigestOf(body)+`"`
	return out, nil
}

// next renders the manifest following prev over ds, carrying the bundle
// retention list forward. dropped are the bundles that fall out of it.
func (m *Manager) next(client string, prev manifestRecord, ds []active) (out rendered, dropped []string, err error) {
	if prev.Version == math.MaxUint64 {
		return rendered{}, nil, fault.New(fault.Internal, "manifest version of client %s is exhausted", client)
	}
	out, err = m.render(client, prev.Version+1, ds)
	if err != nil {
		return rendered{}, nil, err
	}
	old := slices.Clone(prev.OldBundles)
	if prev.BundleDigest != "" && prev.BundleDigest != out.rec.BundleDigest {
		old = slices.Insert(old, 0, prev.BundleDigest)
	}
	old = slices.DeleteFunc(old, func(d string) bool { return d == out.rec.BundleDigest })
	out.rec.OldBundles, dropped = retain(old, m.cfg.KeepRevisions)
	return out, dropped, nil
}

// retain splits a newest-first list into the first keep entries and the rest.
func retain(list []string, keep int) (kept, dropped []string) {
	if len(list) <= keep {
		return list, nil
	}
	return list[:keep:keep], list[keep:]
}
