package deployment

import (
	"context"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
)

// Deployment returns one deployment (tombstoned ones included) with its
// latest status report. fault.NotFound (deployment-not-found) when unknown.
func (m *Manager) Deployment(ctx context.Context, client, id string) (fleet.Deployment, error) {
	if err := checkClient(client); err != nil {
		return fleet.Deployment{}, err
	}
	if !validID(id) {
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
		if err := checkClient(client); err != nil {
			return nil, "", err
		}
		prefix = recPrefix(client)
	}
	opts := state.ListOptions{Limit: page.Limit}
	if page.After != "" {
		opts.After = prefix + page.After
	}
	p, err := m.store.List(ctx, prefix, opts)
	if err != nil {
		return nil, "", err
	}
	out := make([]fleet.Deployment, 0, len(p.Entries))
	for _, e := range p.Entries {
		r := new(record)
		if err := decode(e, r); err != nil {
			return nil, "", err
		}
		d, err := m.withStatus(ctx, r)
		if err != nil {
			return nil, "", err
		}
		out = append(out, d)
	}
	return out, strings.TrimPrefix(p.Next, prefix), nil
}

// forgetBatch bounds the deletions of one Forget batch.
const forgetBatch = 500

// Forget deletes everything kept for client: records, YAMLs, bundles,
// statuses and the manifest. It is idempotent; client ids are never reused,
// so the manifest version sequence does not need to survive it.
func (m *Manager) Forget(ctx context.Context, client string) error {
	if err := checkClient(client); err != nil {
		return err
	}
	err := m.locked(client, func() error {
		for _, prefix := range []string{recPrefix(client), prefixYAML + client + "/", prefixBundle + client + "/", prefixStatus + client + "/"} {
			if err := m.deleteAll(ctx, prefix); err != nil {
				return err
			}
		}
		return m.store.Delete(ctx, manifestKey(client), state.Always())
	})
	if err != nil {
		return err
	}
	m.log.InfoContext(ctx, "client's deployments forgotten", "client", client)
	return nil
}

// deleteAll deletes every key under prefix, a batch per page.
func (m *Manager) deleteAll(ctx context.Context, prefix string) error {
	for {
		p, err := m.store.List(ctx, prefix, state.ListOptions{Limit: forgetBatch})
		if err != nil {
			return err
		}
		if len(p.Entries) == 0 {
			return nil
		}
		ops := make([]state.Op, len(p.Entries))
		for i, e := range p.Entries {
			ops[i] = state.Op{Key: e.Key, Delete: true}
		}
		if _, err := m.store.Batch(ctx, ops); err != nil {
			return err
		}
	}
}
