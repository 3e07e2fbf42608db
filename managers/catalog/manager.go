package catalog

import (
	"context"
	"os"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/registry"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
)

func init() {
	module.Register(module.Registration{ID: "managers.catalog", New: func() module.Module { return &Manager{} },
		Summary: "Application catalog: registries of Margo application packages, versions, resources"})
}

// codec names the manager in errors.
const codec base.Codec = "catalog"

// Topic is the event topic of syncs (fleet.CatalogEvent).
const Topic = fleet.TopicCatalog

// Config is the config of managers.catalog.
type Config struct {
	// SyncTimeout bounds one registry sync (default 5m).
	SyncTimeout config.Duration `json:"syncTimeout"`
}

// Defaults fills the defaults.
func (c *Config) Defaults() { c.SyncTimeout = config.Duration(5 * 60e9) }

// Validate checks the config.
func (c *Config) Validate() error {
	if c.SyncTimeout.D() <= 0 {
		return config.Field("syncTimeout", "must be positive")
	}
	return nil
}

// Manager is managers.catalog.
type Manager struct {
	cfg      Config
	base     base.Manager
	provider registry.Provider
	// LookupEnv reads secret environment variables; os.LookupEnv unless
	// set (tests set it).
	LookupEnv func(string) (string, bool)
}

var (
	_ base.Module   = (*Manager)(nil)
	_ fleet.Catalog = (*Manager)(nil)
)

// ConfigTarget implements module.Configurable.
func (m *Manager) ConfigTarget() any { return &m.cfg }

// Roles declares a state store and a registry provider (required) and an
// event bus (optional).
func (m *Manager) Roles() []module.Role {
	return append(base.Roles(), module.Need[registry.Provider]("registry"))
}

// Init takes the providers.
func (m *Manager) Init(_ context.Context, env *module.Env) error {
	if err := m.base.Init(env, codec); err != nil {
		return err
	}
	p, err := module.MustUse[registry.Provider](env, "registry")
	if err != nil {
		return err
	}
	m.provider = p
	if m.LookupEnv == nil {
		m.LookupEnv = os.LookupEnv
	}
	if m.cfg.SyncTimeout <= 0 {
		m.cfg.Defaults()
	}
	return nil
}

// Reconcile syncs every registry. A registry's failure is recorded on it
// and logged; only a failure to list the registries is returned.
func (m *Manager) Reconcile(ctx context.Context) error {
	regs, err := m.Registries(ctx)
	if err != nil {
		return err
	}
	for _, r := range regs {
		if _, err := m.Sync(ctx, r.Name); err != nil {
			m.base.Log.WarnContext(ctx, "registry sync failed", "registry", r.Name, "err", err)
		}
	}
	return ctx.Err()
}
