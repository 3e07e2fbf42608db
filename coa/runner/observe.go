package runner

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

const instrumentation = "github.com/cadenza-edge/cadenza/coa/runner"

// observer wraps endpoints with panic recovery, a span, and request metrics.
type observer struct {
	tracer   trace.Tracer
	requests metric.Int64Counter
	duration metric.Float64Histogram
	log      *slog.Logger
	prop     propagation.TextMapPropagator
}

func newObserver(tp trace.TracerProvider, mp metric.MeterProvider, log *slog.Logger) *observer {
	m := mp.Meter(instrumentation)
	req, _ := m.Int64Counter("cadenza.endpoint.requests", metric.WithDescription("Endpoint calls by operation, binding and status"))
	dur, _ := m.Float64Histogram("cadenza.endpoint.duration", metric.WithUnit("s"), metric.WithDescription("Endpoint handling time"),
		metric.WithExplicitBucketBoundaries(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
	return &observer{
		tracer:   tp.Tracer(instrumentation),
		requests: req,
		duration: dur,
		log:      log,
		prop:     propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
	}
}

func wrap(eps []endpoint.Endpoint, o *observer) []endpoint.Endpoint {
	out := make([]endpoint.Endpoint, len(eps))
	for i, e := range eps {
		e.Handler = o.middleware(e)
		out[i] = e
	}
	return out
}

type metaCarrier endpoint.Metadata

func (c metaCarrier) Get(k string) string { return endpoint.Metadata(c).Get(k) }
func (c metaCarrier) Set(k, v string)     { endpoint.Metadata(c).Set(k, v) }
func (c metaCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

func (o *observer) middleware(e endpoint.Endpoint) endpoint.Handler {
	next := e.Handler
	op := e.OperationName()
	opAttr := attribute.String("operation", op)
	return func(ctx context.Context, req *endpoint.Request) (resp *endpoint.Response, err error) {
		start := time.Now()
		if req.Metadata != nil {
			ctx = o.prop.Extract(ctx, metaCarrier(req.Metadata))
		}
		ctx, span := o.tracer.Start(ctx, op, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", req.Method), attribute.String("http.route", e.Route), attribute.String("cadenza.binding", req.Binding)))
		defer func() {
			if p := recover(); p != nil {
				o.log.ErrorContext(ctx, "handler panic", "operation", op, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				resp, err = nil, panicError(p)
			}
			status := 204
			switch {
			case err != nil:
				status = fault.Status(fault.CodeOf(err))
				if status >= 500 {
					span.SetStatus(codes.Error, err.Error())
					o.log.ErrorContext(ctx, "handler failed", "operation", op, "err", err)
				}
				span.RecordError(err)
			case resp != nil:
				status = resp.Status
			}
			span.SetAttributes(attribute.Int("http.response.status_code", status))
			span.End()
			attrs := metric.WithAttributes(opAttr, attribute.String("binding", req.Binding), attribute.String("status", strconv.Itoa(status)))
			o.requests.Add(ctx, 1, attrs)
			o.duration.Record(ctx, time.Since(start).Seconds(), attrs)
		}()
		return next(ctx, req)
	}
}

func panicError(p any) error {
	return &fault.Error{Code: fault.Internal, Detail: "the handler panicked; see the server log", Cause: fmt.Errorf("panic: %v", p)}
}

// Observe wraps endpoints with the host's middleware (panic recovery, a
// span, request metrics) as the runner does before handing them to
// bindings; for benchmarks and for tests of bindings in isolation.
func Observe(eps []endpoint.Endpoint, opts Options) []endpoint.Endpoint {
	opts.defaults()
	return wrap(eps, newObserver(opts.Tracer, opts.Meter, opts.Logger))
}
