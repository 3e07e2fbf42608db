package deployment

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
)

func init() {
	module.Register(module.Registration{ID: "managers.deployment", New: func() module.Module { return &Manager{} },
		Summary: "Desired state: deployments, per-client manifests and bundles, status reports"})
}

// Manager is managers.deployment. Changes of one client are serialised
// inside a host (saving retries); between hosts the store's conditions do
// the work.
type Manager struct {
	cfg  Config
	base base.Manager
}

var (
	_ fleet.Deployments = (*Manager)(nil)
	_ base.Module       = (*Manager)(nil)
)

// ConfigTarget implements module.Configurable.
func (m *Manager) ConfigTarget() any { return &m.cfg }

// Roles declares the provider roles: a state store (required) and an event
// bus (optional).
func (m *Manager) Roles() []module.Role { return base.Roles() }

// Init takes the providers.
func (m *Manager) Init(_ context.Context, env *module.Env) error { return m.base.Init(env, codec) }
