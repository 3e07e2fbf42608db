package deployment

import (
	"context"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
)

func init() {
	module.Register(module.Registration{ID: "managers.deployment", New: func() module.Module { return &Manager{} },
		Summary: "Desired state: deployments, per-client manifests and bundles, status reports"})
}

// lockStripes is the number of per-client mutexes. Changes of one client are
// serialised inside a host (saving retries); between hosts the store's
// conditions do the work.
const lockStripes = 64

// Manager is managers.deployment.
type Manager struct {
	cfg   Config
	store state.Store
	bus   pubsub.Bus // nil when the events role is not bound
	log   *slog.Logger
	now   func() time.Time
	locks [lockStripes]sync.Mutex
}

var (
	_ fleet.Deployments   = (*Manager)(nil)
	_ module.Configurable = (*Manager)(nil)
	_ module.Initer       = (*Manager)(nil)
	_ module.RoleDeclarer = (*Manager)(nil)
)

// ConfigTarget implements module.Configurable.
func (m *Manager) ConfigTarget() any { return &m.cfg }

// Roles declares the provider roles: a state store (required) and an event
// bus (optional).
func (m *Manager) Roles() []module.Role {
	return []module.Role{module.Need[state.Store]("state"), module.Want[pubsub.Bus]("events")}
}

// Init takes the providers.
func (m *Manager) Init(_ context.Context, env *module.Env) error {
	s, err := module.MustUse[state.Store](env, "state")
	if err != nil {
		return err
	}
	m.store = s
	m.bus, _ = module.Use[pubsub.Bus](env, "events")
	m.log = env.Logger
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.now == nil {
		m.now = time.Now
	}
	return nil
}

// locked runs fn holding the mutex of client's stripe.
func (m *Manager) locked(client string, fn func() error) error {
	h := fnv.New32a()
	h.Write([]byte(client))
	mu := &m.locks[h.Sum32()%lockStripes]
	mu.Lock()
	defer mu.Unlock()
	return fn()
}
