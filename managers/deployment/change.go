package deployment

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// edit is what a mutation decides for one deployment.
type edit struct {
	rec  *record    // the new record; nil means nothing changes
	yaml []byte     // the new record's current YAML, when the mutation holds it
	ops  []state.Op // further writes: YAML blobs put and deleted
}

// mutation decides the edit from the current record (nil when absent). It
// runs once per attempt and must not have side effects.
type mutation func(cur *record) (edit, error)

// outcome is a committed (or empty) change.
type outcome struct {
	rec     *record
	version uint64 // the manifest version after the change
	changed bool
}

// change applies mutate to deployment id of client together with the next
// manifest, atomically, retrying on conflicts (see the package documentation).
func (m *Manager) change(ctx context.Context, client, id string, mutate mutation) (outcome, error) {
	var out outcome
	err := m.base.Locked(client, func() error {
		return m.base.Retry(ctx, "the deployments of client "+client, func() (err error) {
			out, err = m.tryChange(ctx, client, id, mutate)
			return err
		})
	})
	return out, err
}

// tryChange is one read-modify-write attempt of change.
func (m *Manager) tryChange(ctx context.Context, client, id string, mutate mutation) (outcome, error) {
	man, manVer, err := m.loadManifest(ctx, client)
	if err != nil {
		return outcome{}, err
	}
	recs, err := m.listRecords(ctx, client)
	if err != nil {
		return outcome{}, err
	}
	var cur stored
	pos := len(recs)
	for i, s := range recs {
		if s.rec.DeploymentID == id {
			cur, pos = s, i
		}
	}
	e, err := mutate(cur.rec)
	if err != nil || e.rec == nil {
		return outcome{rec: cur.rec, version: man.Version}, err
	}
	if pos == len(recs) {
		recs = append(recs, stored{})
	}
	recs[pos] = stored{rec: e.rec, version: cur.version}

	ds := make([]active, 0, len(recs))
	for _, s := range recs {
		if s.rec.Deleted {
			continue
		}
		y := e.yaml
		if s.rec.DeploymentID != id || y == nil {
			if y, err = m.currentYAML(ctx, client, s.rec); err != nil {
				return outcome{}, err
			}
		}
		ds = append(ds, active{id: s.rec.DeploymentID, yaml: y})
	}
	nm, dropped, err := m.next(client, man, ds)
	if err != nil {
		return outcome{}, err
	}
	ops, err := changeOps(client, e, cur.version, nm, man, manVer, dropped)
	if err != nil {
		return outcome{}, err
	}
	if _, err := m.base.Store.Batch(ctx, ops); err != nil {
		return outcome{}, err
	}
	return outcome{rec: e.rec, version: nm.rec.Version, changed: true}, nil
}

// changeOps lists the writes of a change: the record (conditioned on its
// version), the mutation's own ops, the manifest (conditioned on its
// version), the new bundle and the deletion of the bundles that aged out.
func changeOps(client string, e edit, recVer uint64, nm rendered, prev manifestRecord, manVer uint64, dropped []string) ([]state.Op, error) {
	rb, err := codec.Encode(e.rec)
	if err != nil {
		return nil, err
	}
	mb, err := encodeManifest(nm.rec)
	if err != nil {
		return nil, err
	}
	ops := make([]state.Op, 0, 3+len(e.ops)+len(dropped))
	ops = append(ops, state.Op{Key: recKey(client, e.rec.DeploymentID), Value: rb, If: state.IfVersion(recVer)})
	ops = append(ops, e.ops...)
	ops = append(ops, state.Op{Key: manifestKey(client), Value: mb, If: state.IfVersion(manVer)})
	if nm.bundle != nil && nm.rec.BundleDigest != prev.BundleDigest {
		ops = append(ops, state.Op{Key: bundleKey(client, nm.rec.BundleDigest), Value: nm.bundle})
	}
	for _, d := range dropped {
		ops = append(ops, state.Op{Key: bundleKey(client, d), Delete: true})
	}
	return ops, nil
}

// currentYAML reads the current YAML of a record.
func (m *Manager) currentYAML(ctx context.Context, client string, r *record) ([]byte, error) {
	e, err := m.base.Store.Get(ctx, yamlKey(client, r.DeploymentID, r.Digest))
	if fault.Is(err, fault.NotFound) {
		return nil, fault.New(fault.Internal, "deployment %s of client %s lacks its YAML %s", r.DeploymentID, client, r.Digest)
	}
	if err != nil {
		return nil, err
	}
	return e.Value, nil
}
