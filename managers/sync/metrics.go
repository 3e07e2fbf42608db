package sync

import (
	"context"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// metrics are the agent's OpenTelemetry instruments.
type metrics struct {
	polls        metric.Int64Counter     // cadenza.agent.polls{result}
	rejected     metric.Int64Counter     // cadenza.agent.rejected_manifests{reason}
	reports      metric.Int64Counter     // cadenza.agent.status_reports{result}
	components   metric.Int64Counter     // cadenza.agent.component_operations{operation,result}
	capabilities metric.Int64Counter     // cadenza.agent.capability_reports{result}
	etags        metric.Int64Counter     // cadenza.agent.manifest_etag_mismatches
	opDuration   metric.Float64Histogram // cadenza.agent.component_operation.duration{operation}
	depth        atomic.Int64            // observed as cadenza.agent.status_queue_depth
}

// newMetrics creates the instruments on mp (a no-op provider when nil).
func newMetrics(mp metric.MeterProvider) (*metrics, error) {
	if mp == nil {
		mp = noop.NewMeterProvider()
	}
	meter := mp.Meter("github.com/cadenza-edge/cadenza/managers/sync")
	out := &metrics{}
	var err error
	if out.polls, err = meter.Int64Counter("cadenza.agent.polls", metric.WithDescription("Manifest polls by result: accepted, not-modified, rejected, unavailable, error")); err != nil {
		return nil, err
	}
	if out.rejected, err = meter.Int64Counter("cadenza.agent.rejected_manifests", metric.WithDescription("Manifests refused by the agent, by reason")); err != nil {
		return nil, err
	}
	if out.reports, err = meter.Int64Counter("cadenza.agent.status_reports", metric.WithDescription("Status report deliveries by result: delivered, deferred, rejected, dropped")); err != nil {
		return nil, err
	}
	if out.components, err = meter.Int64Counter("cadenza.agent.component_operations", metric.WithDescription("Workload provider calls by operation (apply, remove) and result")); err != nil {
		return nil, err
	}
	if out.capabilities, err = meter.Int64Counter("cadenza.agent.capability_reports", metric.WithDescription("Capability reports by result")); err != nil {
		return nil, err
	}
	if out.etags, err = meter.Int64Counter("cadenza.agent.manifest_etag_mismatches", metric.WithDescription("Manifests whose ETag is not the digest of their body (accepted unless strict)")); err != nil {
		return nil, err
	}
	if out.opDuration, err = meter.Float64Histogram("cadenza.agent.component_operation.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of workload provider applies and removes")); err != nil {
		return nil, err
	}
	_, err = meter.Int64ObservableGauge("cadenza.agent.status_queue_depth", metric.WithDescription("Status reports waiting for delivery"),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(out.depth.Load())
			return nil
		}))
	return out, err
}

func (x *metrics) poll(ctx context.Context, result string) {
	x.polls.Add(ctx, 1, metric.WithAttributes(attribute.String("result", result)))
}

func (x *metrics) reject(ctx context.Context, reason string) {
	x.rejected.Add(ctx, 1, metric.WithAttributes(attribute.String("reason", reason)))
}

func (x *metrics) statusReport(ctx context.Context, result string) {
	x.reports.Add(ctx, 1, metric.WithAttributes(attribute.String("result", result)))
}

func (x *metrics) statusDropped(ctx context.Context, reason string, n int) {
	x.reports.Add(ctx, int64(n), metric.WithAttributes(attribute.String("result", "dropped"), attribute.String("reason", reason)))
}

func (x *metrics) component(ctx context.Context, op, result string, d time.Duration) {
	attrs := metric.WithAttributes(attribute.String("operation", op), attribute.String("result", result))
	x.components.Add(ctx, 1, attrs)
	x.opDuration.Record(ctx, d.Seconds(), metric.WithAttributes(attribute.String("operation", op)))
}

func (x *metrics) capabilityReport(ctx context.Context, result string) {
	x.capabilities.Add(ctx, 1, metric.WithAttributes(attribute.String("result", result)))
}

func (x *metrics) etagMismatch(ctx context.Context) { x.etags.Add(ctx, 1) }
