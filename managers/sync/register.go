package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/managers/sync/inventory"
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

// Manager is the device agent: it wires its parts (see base.go), runs
// the loop that calls them in order, and answers the local API. See the
// package documentation.
type Manager struct {
	cfg      Config
	store    state.Store
	runtimes runtimes
	log      *slog.Logger
	met      *metrics
	sched    schedule
	now      func() time.Time
	sources  inventory.Sources

	base   *base
	board  *board
	errs   *errorLog
	link   *link
	caps   *reporter
	poller *poller
	recon  *reconciler
	queue  *statusQueue

	wake chan struct{}
	stop context.CancelFunc
	done chan struct{}
}

// New returns an unconfigured manager (the registry's factory).
func New() *Manager {
	m := &Manager{now: time.Now, wake: make(chan struct{}, 1), sources: inventory.System(), board: &board{}}
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
	m.assemble()
	if len(m.runtimes.byType) == 0 {
		m.log.Warn("no workload provider is bound: every deployment will fail; bind one with \"uses\": {\"workload\": [\"<provider>\"]}")
	} else {
		m.log.Info("workload runtimes", "profileTypes", m.runtimes.types())
	}
	if shape := capabilitiesShape(&m.cfg); m.cfg.CapabilitiesShape == ShapeAuto && shape == ShapeResources {
		m.log.Info("capabilities are reported in the first P1 layout: the flat layout needs device.otelCollector true (an OpenTelemetry collector for the workloads); set it when one runs, or set capabilitiesShape")
	}
	return nil
}

// assemble builds the agent's parts over what Init prepared.
func (m *Manager) assemble() {
	m.errs = &errorLog{store: m.store, log: m.log, clock: m.clock, history: m.cfg.ErrorHistory, board: m.board}
	m.base = &base{cfg: &m.cfg, store: m.store, log: m.log, met: m.met, clock: m.clock, errs: m.errs, board: m.board}
	m.link = newLink(m.base, m.sched)
	m.queue = &statusQueue{base: m.base, sink: m.link}
	m.caps = &reporter{base: m.base, link: m.link, runtimes: m.runtimes, sources: m.sources}
	m.poller = &poller{base: m.base, link: m.link, queue: m.queue}
	m.recon = &reconciler{base: m.base, queue: m.queue, runtimes: m.runtimes, tried: map[string]bool{}}
}

// clock is the agent's time (m.now, which tests may replace).
func (m *Manager) clock() time.Time { return m.now() }

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
		"acceptedVersion", m.poller.target.Version, "queuedReports", m.met.depth.Load())
	return nil
}

// prepare loads the identity and the agent state (Start without the loop).
func (m *Manager) prepare(ctx context.Context) error {
	if err := m.link.prepare(ctx); err != nil {
		return err
	}
	for _, load := range []func(context.Context) error{m.poller.load, m.recon.load, m.queue.load, m.errs.load} {
		if err := load(ctx); err != nil {
			return fmt.Errorf("agent state: %w", err)
		}
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
		if m.link.client != nil {
			m.link.client.CloseIdleConnections()
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
	if b := m.board.read().Blocked; b != "" {
		return errors.New(b)
	}
	return nil
}

// Sync asks the loop to poll now (outside downtime and polling-hour limits
// still apply).
func (m *Manager) Sync() {
	m.board.requestSync()
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
