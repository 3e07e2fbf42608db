package deployment

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
)

// Deployment returns one deployment (tombstoned ones included) with its
// latest status report. fault.NotFound (deployment-not-found) when unknown.
func (m *Manager) Deployment(ctx context.Context, client, id string) (fleet.Deployment, error) {
	if err := base.CheckClient(client); err != nil {
		return fleet.Deployment{}, err
	}
	if !base.ValidID(id) {
		return fleet.Deployment{}, deploymentNotFound(client, id)
	}
	s, err := m.getRecord(ctx, client, id)
	if err != nil {
		return fleet.Deployment{}, err
	}
	return m.withStatus(ctx, s.rec)
}

// withStatus returns the record's deployment with its latest status.
func (m *Manager) withStatus(ctx context.Context, r *record) (fleet.Deployment, error) {
	d := r.Deployment
	sr, _, err := m.getStatus(ctx, d.ClientID, d.DeploymentID)
	if err != nil {
		return fleet.Deployment{}, err
	}
	if len(sr.Reports) > 0 {
		d.Status = &sr.Reports[0]
	}
	return d, nil
}

// List lists the deployments of client ("" = every client), tombstoned ones
// included, in (client and) id order, each with its latest status. The
// cursor is the last item's id ("<clientId>/<deploymentId>" across clients).
func (m *Manager) List(ctx context.Context, client string, page fleet.Page) ([]fleet.Deployment, string, error) {
	prefix := prefixRec
	if client != "" {
		if err := base.CheckClient(client); err != nil {
			return nil, "", err
		}
		prefix = recPrefix(client)
	}
	entries, next, err := m.base.List(ctx, prefix, page)
	if err != nil {
		return nil, "", err
	}
	out := make([]fleet.Deployment, 0, len(entries))
	for _, e := range entries {
		r := new(record)
		if err := codec.Decode(e, r); err != nil {
			return nil, "", err
		}
		d, err := m.withStatus(ctx, r)
		if err != nil {
			return nil, "", err
		}
		out = append(out, d)
	}
	return out, next, nil
}

// Forget deletes everything kept for client: records, YAMLs, bundles,
// statuses and the manifest. It is idempotent; client ids are never reused,
// so the manifest version sequence does not need to survive it.
func (m *Manager) Forget(ctx context.Context, client string) error {
	if err := base.CheckClient(client); err != nil {
		return err
	}
	err := m.base.Locked(client, func() error {
		for _, prefix := range []string{recPrefix(client), prefixYAML + client + "/", prefixBundle + client + "/", prefixStatus + client + "/"} {
			if err := m.base.DeleteAll(ctx, prefix); err != nil {
				return err
			}
		}
		return m.base.Store.Delete(ctx, manifestKey(client), state.Always())
	})
	if err != nil {
		return err
	}
	m.base.Log.InfoContext(ctx, "client's deployments forgotten", "client", client)
	return nil
}
