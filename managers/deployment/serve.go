package deployment

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/managers/base"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// DeploymentYAML returns the exact stored YAML bytes of deployment id whose
// digest is dig: the current revision or one of the kept older ones.
// fault.NotFound (deployment-not-found) otherwise, also for a malformed
// digest, which the server cannot serve.
func (m *Manager) DeploymentYAML(ctx context.Context, client, id, dig string) ([]byte, error) {
	if err := base.CheckClient(client); err != nil {
		return nil, err
	}
	if !base.ValidID(id) || !document.IsDigest(dig) {
		return nil, yamlNotFound(client, id, dig)
	}
	e, err := m.base.Store.Get(ctx, yamlKey(client, id, dig))
	if fault.Is(err, fault.NotFound) {
		return nil, yamlNotFound(client, id, dig)
	}
	if err != nil {
		return nil, err
	}
	return e.Value, nil
}

// Bundle returns the exact bundle bytes of client whose digest is dig: the
// current bundle or one of the kept older ones. fault.NotFound
// (invalid-bundle) otherwise, also for a malformed digest.
func (m *Manager) Bundle(ctx context.Context, client, dig string) ([]byte, error) {
	if err := base.CheckClient(client); err != nil {
		return nil, err
	}
	if !document.IsDigest(dig) {
		return nil, bundleNotFound(client, dig)
	}
	e, err := m.base.Store.Get(ctx, bundleKey(client, dig))
	if fault.Is(err, fault.NotFound) {
		return nil, bundleNotFound(client, dig)
	}
	if err != nil {
		return nil, err
	}
	return e.Value, nil
}
