package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	stdsync "sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/managers/sync/inventory"
	"github.com/cadenza-edge/cadenza/margo/client"
)

// ID is the module id.
const ID = "managers.sync"

// Roles of managers.sync.
const (
	RoleState = "state"
	// RoleWorkload binds the workload providers, a list: each deployment
	// runs on the one that declares its profile type.
	RoleWorkload = "workload"
)

func init() {
	module.Register(module.Registration{ID: ID, New: func() module.Module { return New() },
		Summary: "Margo device agent: onboarding, capabilities, manifest polling, reconcile through workload providers, durable status reports"})
}

// Manager is the device agent's state-seeking loop. See the package
// documentation.
type Manager struct {
	cfg      Config
	store    state.Store
	runtimes runtimes
	log      *slog.Logger
	met      *metrics
	sched    schedule
	now      func() time.Time

	// Owned by the loop goroutine (and by Start before it runs).
	id           *identity
	client       *client.Client
	target       target
	bo           *backoff.ExponentialBackOff
	retryAt      time.Time // no communication with the WFM before this
	nextPoll     time.Time
	capsAt       time.Time // last capabilities check
	capsRejected string    // digest of a capabilities document the WFM refused ("invalid": ours is)
	sources      inventory.Sources
	queueNext    uint64
	errNext      uint64
	reconciled   uint64          // version whose reconcile pass finished
	deployRetry  time.Time       // earliest scheduled deployment retry
	tried        map[string]bool // deployments worked on since start

	mu   stdsync.Mutex // guards rt
	rt   runtimeView
	wake chan struct{}

	stop context.CancelFunc
	done chan struct{}
}

// New returns an unconfigured manager (the registry's factory).
func New() *Manager {
	m := &Manager{now: time.Now, wake: make(chan struct{}, 1), tried: map[string]bool{}, sources: inventory.System()}
	m.cfg.Defaults()
	return m
}

// ConfigTarget implements module.Configurable.
func (m *Manager) ConfigTarget() any { return &m.cfg }

// Roles declares the state store (required) and the workload providers,
// any number of them (a deployment whose profile type none runs fails with
// a clear status error).
func (m *Manager) Roles() []module.Role {
	return []module.Role{
		module.Need[state.Store](RoleState),
		module.List[workload.Provider](RoleWorkload),
	}
}

// CheckBindings implements module.BindingChecker: no two workload
// providers may claim the same profile type.
func (m *Manager) CheckBindings(uses map[string][]module.Bound) error {
	return checkWorkloadBindings(uses[RoleWorkload])
}

// Init takes the providers and checks the config once more (it parses the
// time windows).
func (m *Manager) Init(_ context.Context, env *module.Env) error {
	if err := m.cfg.Validate(); err != nil {
		return err
	}
	s, err := module.MustUse[state.Store](env, RoleState)
	if err != nil {
		return err
	}
	m.store = s
	m.runtimes = newRuntimes(module.UseList[workload.Provider](env, RoleWorkload))
	m.log = env.Logger
	if m.log == nil {
		m.log = slog.Default()
	}
	m.sched = schedule{polling: m.cfg.PollingHours, downtime: m.cfg.Downtime}
	m.met, err = newMetrics(env.Meter)
	if err != nil {
		return err
	}
	m.bo = newBackoff(m.cfg.PollInterval.D(), m.cfg.BackoffMax.D())
	if len(m.runtimes.byType) == 0 {
		m.log.Warn("no workload provider is bound: every deployment will fail; bind one with \"uses\": {\"workload\": [\"<provider>\"]}")
	} else {
		m.log.Info("workload runtimes", "profileTypes", m.runtimes.types())
	}
	return nil
}

// Start loads (or creates) the device identity and the accepted state,
// then starts the loop. Network work (trust, onboarding) happens in the
// loop, so a WFM that is down does not keep the agent from starting.
func (m *Manager) Start(ctx context.Context) error {
	if err := m.prepare(ctx); err != nil {
		return err
	}
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.stop, m.done = cancel, make(chan struct{})
	go m.run(loopCtx)
	m.log.Info("device agent started", "wfm", m.cfg.WFM.URL, "pollInterval", m.cfg.PollInterval.String(),
		"acceptedVersion", m.target.Version, "queuedReports", m.met.depth.Load())
	return nil
}

// prepare loads the identity and the agent state (Start without the loop).
func (m *Manager) prepare(ctx context.Context) error {
	host, _ := os.Hostname()
	id, created, err := loadIdentity(m.cfg.Identity.Key, m.cfg.Identity.Cert, firstNonEmpty(m.cfg.Device.ID, host, "cadenza-device"), m.now())
	if err != nil {
		return fmt.Errorf("device identity: %w", err)
	}
	m.id = id
	if created {
		m.log.Info("device identity created", "key", m.cfg.Identity.Key, "cert", m.cfg.Identity.Cert, "keyId", keyID(id))
	}
	if err := m.loadState(ctx); err != nil {
		return fmt.Errorf("agent state: %w", err)
	}
	return nil
}

// Close stops the loop: the running step sees its context canceled
// (providers are asked to stop), its bookkeeping is still written, and
// Close returns once the loop has ended or ctx (the grace period) ends.
func (m *Manager) Close(ctx context.Context) error {
	if m.stop == nil {
		return nil
	}
	m.stop()
	select {
	case <-m.done:
		if m.client != nil {
			m.client.CloseIdleConnections()
		}
		return nil
	case <-ctx.Done():
		return errors.New("managers.sync: the loop did not stop within the grace period (a workload provider ignores cancellation?)")
	}
}

// Health is nil unless the agent is blocked on something only an operator
// can fix (no trusted CA, a changed identity, a refused onboarding). A WFM
// that is merely unreachable is not unhealthy: the agent keeps its
// workloads and queues its reports.
func (m *Manager) Health(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rt.Blocked != "" {
		return errors.New(m.rt.Blocked)
	}
	return nil
}

// Sync asks the loop to poll now (outside downtime and polling-hour limits
// still apply).
func (m *Manager) Sync() {
	m.mu.Lock()
	m.rt.syncRequested = true
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
