package deployment

import (
	"context"
	"slices"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// Apply assigns an ApplicationDeployment YAML to client, creating or
// replacing the deployment with its id. A P1 document without
// metadata.annotations.id gets a UUIDv4 inserted there first (see assignID);
// after that the bytes are final. Re-applying byte-identical YAML changes
// nothing. Parse errors pass through (400, 422).
func (m *Manager) Apply(ctx context.Context, client string, yamlBytes []byte) (fleet.Deployment, error) {
	if err := base.CheckClient(client); err != nil {
		return fleet.Deployment{}, err
	}
	doc, err := parse(yamlBytes)
	if err != nil {
		return fleet.Deployment{}, err
	}
	id := doc.ID()
	if !base.ValidID(id) {
		return fleet.Deployment{}, document.Unprocessable([]fault.Violation{{Field: "id",
			Message: "must be 1 to 200 RFC 3986 unreserved characters (letters, digits, - . _ ~), not . or .."}})
	}
	raw, dig := doc.Raw(), doc.Digest()
	now := m.base.Now().UTC()
	out, err := m.change(ctx, client, id, func(cur *record) (edit, error) {
		if cur != nil && !cur.Deleted && cur.Digest == dig {
			return edit{}, nil // byte-identical: nothing changes
		}
		next := &record{Deployment: fleet.Deployment{
			ClientID: client, DeploymentID: id, ApplicationID: doc.ApplicationID(), Name: doc.Metadata.Name,
			DeviceID: doc.Metadata.DeviceID, Digest: dig, SizeBytes: uint64(len(raw)),
			Components: doc.ComponentNames(), Created: now, Updated: now,
		}}
		var dropped []string
		if cur != nil {
			next.Created = cur.Created
			old := slices.Clone(cur.Revisions)
			if cur.Digest != dig {
				old = slices.Insert(old, 0, cur.Digest)
			}
			old = slices.DeleteFunc(old, func(d string) bool { return d == dig })
			next.Revisions, dropped = retain(old, m.cfg.KeepRevisions)
		}
		ops := []state.Op{{Key: yamlKey(client, id, dig), Value: raw}}
		for _, d := range dropped {
			ops = append(ops, state.Op{Key: yamlKey(client, id, d), Delete: true})
		}
		return edit{rec: next, yaml: raw, ops: ops}, nil
	})
	if err != nil {
		return fleet.Deployment{}, err
	}
	if out.changed {
		m.base.Log.InfoContext(ctx, "deployment applied", "client", client, "deployment", id, "digest", dig, "manifestVersion", out.version)
		m.publish(ctx, fleet.DeploymentEvent{ClientID: client, DeploymentID: id, ManifestVersion: out.version, Kind: fleet.DeploymentApplied})
	}
	return out.rec.Deployment, nil
}

// Remove takes a deployment out of the client's manifest. The record stays
// as a tombstone (Deleted) until the device reports the deployment removed.
// fault.NotFound when unknown or already removed.
func (m *Manager) Remove(ctx context.Context, client, id string) error {
	if err := base.CheckClient(client); err != nil {
		return err
	}
	if !base.ValidID(id) {
		return deploymentNotFound(client, id)
	}
	now := m.base.Now().UTC()
	out, err := m.change(ctx, client, id, func(cur *record) (edit, error) {
		if cur == nil || cur.Deleted {
			return edit{}, deploymentNotFound(client, id)
		}
		next := *cur
		next.Deleted, next.Updated = true, now
		return edit{rec: &next}, nil
	})
	if err != nil {
		return err
	}
	m.base.Log.InfoContext(ctx, "deployment removed", "client", client, "deployment", id, "manifestVersion", out.version)
	m.publish(ctx, fleet.DeploymentEvent{ClientID: client, DeploymentID: id, ManifestVersion: out.version, Kind: fleet.DeploymentRemoved})
	return nil
}

// parse parses an ApplicationDeployment, assigning an id when it lacks one.
// The schema requires the id, so a document that parses as is has one; only
// a failing one is looked at for a missing id, then parsed again.
func parse(yamlBytes []byte) (*document.ApplicationDeployment, error) {
	doc, err := document.ParseDeployment(yamlBytes)
	if err == nil || !fault.Is(err, fault.Unprocessable) {
		return doc, err
	}
	withID, assigned, idErr := assignID(yamlBytes)
	switch {
	case idErr != nil && !fault.Is(idErr, fault.Unprocessable):
		return nil, idErr
	case idErr != nil: // report why no id was assigned along with the rest
		return nil, document.Unprocessable(append(fault.As(err).Violations, fault.As(idErr).Violations...))
	case !assigned:
		return nil, err
	}
	return document.ParseDeployment(withID)
}
