package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/module"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// DefaultGrace bounds shutdown when the host config sets no shutdownGrace.
const DefaultGrace = 10 * time.Second

// Options are what the host program gives the runner.
type Options struct {
	Logger *slog.Logger
	Tracer trace.TracerProvider
	Meter  metric.MeterProvider
	// Extra endpoints served by every binding besides the vendors' (e.g. /metrics).
	Extra []endpoint.Endpoint
	// Started, when set, is called once everything has started.
	Started func()
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Tracer == nil {
		o.Tracer = tracenoop.NewTracerProvider()
	}
	if o.Meter == nil {
		o.Meter = metricnoop.NewMeterProvider()
	}
}

// Runtime is a plan being run.
type Runtime struct {
	plan    *Plan
	opts    Options
	live    []*unit // initialised units, in start order
	started atomic.Bool
	sched   sync.WaitGroup
	stopSch context.CancelFunc
}

// Run initialises and starts every module, serves until ctx ends, then shuts
// down in reverse order within the host's grace period. A failure while
// starting stops what already started and is returned.
func (p *Plan) Run(ctx context.Context, opts Options) error {
	opts.defaults()
	rt := &Runtime{plan: p, opts: opts}
	if err := rt.start(ctx); err != nil {
		closeErr := rt.shutdown()
		return errors.Join(err, closeErr)
	}
	opts.Logger.Info("host started", "host", p.Host.Name, "modules", len(rt.live))
	if opts.Started != nil {
		opts.Started()
	}
	<-ctx.Done()
	opts.Logger.Info("host stopping", "host", p.Host.Name, "grace", rt.grace())
	return rt.shutdown()
}

func (rt *Runtime) grace() time.Duration {
	if g := rt.plan.Host.ShutdownGrace.D(); g > 0 {
		return g
	}
	return DefaultGrace
}

func (rt *Runtime) env(u *unit) *module.Env {
	return &module.Env{
		Host:     rt.plan.Host.Name,
		ID:       u.id,
		Name:     u.name,
		Logger:   rt.opts.Logger.With("module", u.id, "instance", u.name),
		Tracer:   rt.opts.Tracer,
		Meter:    rt.opts.Meter,
		Uses:     u.uses,
		UsesList: u.usesList,
	}
}

func (rt *Runtime) start(ctx context.Context) error {
	p := rt.plan
	for _, u := range p.providers {
		if err := rt.bring(ctx, u, rt.env(u)); err != nil {
			return err
		}
	}
	for _, u := range p.managers {
		env := rt.env(u)
		if u.vendor != nil {
			for _, m := range u.vendor.managers {
				if m != u {
					env.Managers = append(env.Managers, m.mod)
				}
			}
		}
		if err := rt.bring(ctx, u, env); err != nil {
			return err
		}
	}
	var eps []endpoint.Endpoint
	for _, v := range p.vendors {
		env := rt.env(v)
		for _, m := range v.managers {
			env.Managers = append(env.Managers, m.mod)
		}
		if err := rt.bring(ctx, v, env); err != nil {
			return err
		}
		if src, ok := v.mod.(module.EndpointSource); ok {
			eps = append(eps, src.Endpoints()...)
		}
	}
	eps = append(eps, rt.systemEndpoints()...)
	eps = append(eps, rt.opts.Extra...)
	if err := checkRoutes(eps); err != nil {
		return err
	}
	wrapped := wrap(eps, newObserver(rt.opts.Tracer, rt.opts.Meter, rt.opts.Logger))
	for _, b := range p.bindings {
		env := rt.env(b)
		env.Endpoints = wrapped
		if err := rt.bring(ctx, b, env); err != nil {
			return err
		}
	}
	rt.schedule()
	rt.started.Store(true)
	return nil
}

// bring initialises and starts one unit. Its errors name the config file
// and the unit's path there, like config errors: most Init failures are
// configuration the host could only check by building the module (a
// missing file, a missing sibling manager).
func (rt *Runtime) bring(ctx context.Context, u *unit, env *module.Env) error {
	where := u.label()
	if rt.plan.File != "" {
		where = rt.plan.File + ": " + where
	}
	if i, ok := u.mod.(module.Initer); ok {
		if err := i.Init(ctx, env); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	rt.live = append(rt.live, u)
	if s, ok := u.mod.(module.Starter); ok {
		if err := s.Start(ctx); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	return nil
}

// shutdown stops the schedules, then closes every live unit in reverse
// order (bindings, vendors, managers, providers), all within the grace period.
func (rt *Runtime) shutdown() error {
	rt.started.Store(false)
	if rt.stopSch != nil {
		rt.stopSch()
	}
	rt.sched.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), rt.grace())
	defer cancel()
	var errs []error
	for i := len(rt.live) - 1; i >= 0; i-- {
		u := rt.live[i]
		c, ok := u.mod.(module.Closer)
		if !ok {
			continue
		}
		if err := c.Close(ctx); err != nil {
			rt.opts.Logger.Error("close failed", "module", u.label(), "err", err)
			errs = append(errs, fmt.Errorf("close %s: %w", u.label(), err))
		}
	}
	return errors.Join(errs...)
}

func checkRoutes(eps []endpoint.Endpoint) error {
	seen := map[string]bool{}
	for _, e := range eps {
		k := e.Method + " " + e.Route
		if seen[k] {
			return fmt.Errorf("two endpoints serve %s: route it under another prefix", k)
		}
		seen[k] = true
	}
	return nil
}
