package runner

import (
	"context"
	"time"

	"github.com/cadenza-edge/cadenza/coa/module"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// schedule starts one loop per manager with an interval: a reconcile right
// after start, then one per interval. Errors are logged and counted.
func (rt *Runtime) schedule() {
	ctx, cancel := context.WithCancel(context.Background())
	rt.stopSch = cancel
	meter := rt.opts.Meter.Meter("github.com/cadenza-edge/cadenza/coa/runner")
	runs, _ := meter.Int64Counter("cadenza.reconcile.runs", metric.WithDescription("Reconcile calls by manager and result"))
	for _, u := range rt.plan.managers {
		r, ok := u.mod.(module.Reconciler)
		if !ok || u.interval <= 0 {
			continue
		}
		rt.sched.Add(1)
		go func() {
			defer rt.sched.Done()
			log := rt.opts.Logger.With("module", u.id, "path", u.path)
			tick := time.NewTicker(u.interval)
			defer tick.Stop()
			for {
				result := "ok"
				if err := reconcileOnce(ctx, r); err != nil {
					if ctx.Err() != nil {
						return
					}
					result = "error"
					log.Error("reconcile failed", "err", err)
				}
				runs.Add(ctx, 1, metric.WithAttributes(attribute.String("module", u.id), attribute.String("path", u.path), attribute.String("result", result)))
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
	}
}

func reconcileOnce(ctx context.Context, r module.Reconciler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicError(p)
		}
	}()
	return r.Reconcile(ctx)
}
