package rollout

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
)

// ID is the module id.
const ID = "managers.rollout"

func init() {
	module.Register(module.Registration{ID: ID, New: func() module.Module { return &Manager{} },
		Summary: "Operator deployments: catalog applications rendered into one ApplicationDeployment per targeted, eligible device"})
}

// codec names the manager in errors.
const codec base.Codec = "rollout"

// Config is the config of managers.rollout.
type Config struct {
	// Namespace is metadata.namespace of rendered documents when a rollout
	// names none (default "margo").
	Namespace string `json:"namespace"`
	// Workers bounds the devices rendered at once (default 8).
	Workers int `json:"workers"`
	// FollowDelay is the least time between two renders caused by device
	// changes (capabilities events: a device registered, reported or was
	// relabelled), when the events role is bound; 0 turns following off,
	// leaving it to the manager's interval (default 1s).
	FollowDelay config.Duration `json:"followDelay"`
}

// Defaults fills the defaults.
func (c *Config) Defaults() {
	c.Namespace, c.Workers, c.FollowDelay = "margo", 8, config.Duration(time.Second)
}

// Validate checks the config.
func (c *Config) Validate() error {
	if !validName(c.Namespace) {
		return config.Field("namespace", "must be a Kubernetes namespace name: 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit")
	}
	if c.Workers < 1 || c.Workers > 256 {
		return config.Field("workers", "must be from 1 to 256")
	}
	if c.FollowDelay < 0 {
		return config.Field("followDelay", "must not be negative (0 turns following device changes off)")
	}
	return nil
}

// Manager is managers.rollout.
type Manager struct {
	cfg     Config
	base    base.Manager
	caps    fleet.Capabilities
	deps    fleet.Deployments
	catalog fleet.Catalog
	// clients tell which clients exist; nil when no fleet.Onboarding is
	// a sibling (a target's client then exists when it has a device).
	clients fleet.Onboarding
	// locks serialise the render passes of one rollout inside a host.
	locks  sync.Map  // id -> *sync.Mutex
	follow *follower // nil unless following device changes
	// followed, when set (tests), receives after every follow pass.
	followed chan struct{}
}

var (
	_ base.Module    = (*Manager)(nil)
	_ fleet.Rollouts = (*Manager)(nil)
)

// ConfigTarget implements module.Configurable.
func (m *Manager) ConfigTarget() any { return &m.cfg }

// Roles declares a state store (required) and an event bus (optional).
func (m *Manager) Roles() []module.Role { return base.Roles() }

// Siblings implements module.SiblingDeclarer: the managers a rollout
// manager composes, beside it in its vendor (a fleet.Onboarding is used
// when there is one).
func (m *Manager) Siblings() []module.Role {
	return []module.Role{
		module.Need[fleet.Capabilities]("managers.capabilities"),
		module.Need[fleet.Deployments]("managers.deployment"),
		module.Need[fleet.Catalog]("managers.catalog"),
		module.Want[fleet.Onboarding]("managers.onboarding"),
	}
}

// Init takes the store and finds the sibling managers.
func (m *Manager) Init(_ context.Context, env *module.Env) error {
	if err := m.base.Init(env, codec); err != nil {
		return err
	}
	var ok bool
	if m.caps, ok = module.Manager[fleet.Capabilities](env); !ok {
		return missing("fleet.Capabilities", "managers.capabilities")
	}
	if m.deps, ok = module.Manager[fleet.Deployments](env); !ok {
		return missing("fleet.Deployments", "managers.deployment")
	}
	if m.catalog, ok = module.Manager[fleet.Catalog](env); !ok {
		return missing("fleet.Catalog", "managers.catalog")
	}
	m.clients, _ = module.Manager[fleet.Onboarding](env)
	if m.cfg.Workers == 0 {
		m.cfg.Defaults()
	}
	return nil
}

// missing is the Init error for a sibling manager the config lacks.
func missing(what, typ string) error {
	return fmt.Errorf("%s needs %s among the managers of its vendor: declare a %s there (or {\"ref\": \"<name>\"} to one declared elsewhere)", ID, what, typ)
}

// lock returns the mutex of rollout id.
func (m *Manager) lock(id string) *sync.Mutex {
	l, _ := m.locks.LoadOrStore(id, &sync.Mutex{})
	return l.(*sync.Mutex)
}
