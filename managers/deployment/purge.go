package deployment

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/managers/base"
)

// Purge forgets a deployment now, for a device that will never report it
// removed: it leaves the manifest (as Remove does, when still live) and its
// record, YAMLs and status history are deleted. fault.NotFound when unknown.
func (m *Manager) Purge(ctx context.Context, client, id string) error {
	if err := base.CheckClient(client); err != nil {
		return err
	}
	if !base.ValidID(id) {
		return deploymentNotFound(client, id)
	}
	err := m.Remove(ctx, client, id)
	if err != nil && !fault.Is(err, fault.NotFound) {
		return err
	}
	err = m.base.Locked(client, func() error {
		return m.base.Retry(ctx, "deployment "+id+" of client "+client, func() error {
			cur, err := m.getRecord(ctx, client, id)
			if err != nil {
				return err
			}
			if !cur.rec.Deleted { // applied again since Remove: leave it
				return fault.New(fault.Conflict, "deployment %s of client %s was applied again while being forgotten", id, client)
			}
			_, ver, err := m.getStatus(ctx, client, id)
			if err != nil {
				return err
			}
			return m.purge(ctx, client, cur, ver)
		})
	})
	if err != nil {
		return err
	}
	m.base.Log.InfoContext(ctx, "deployment forgotten", "client", client, "deployment", id)
	return nil
}

// Document returns the current ApplicationDeployment YAML of a deployment,
// exactly as the device fetches it. fault.NotFound when unknown.
func (m *Manager) Document(ctx context.Context, client, id string) ([]byte, error) {
	if err := base.CheckClient(client); err != nil {
		return nil, err
	}
	if !base.ValidID(id) {
		return nil, deploymentNotFound(client, id)
	}
	cur, err := m.getRecord(ctx, client, id)
	if err != nil {
		return nil, err
	}
	return m.currentYAML(ctx, client, cur.rec)
}
