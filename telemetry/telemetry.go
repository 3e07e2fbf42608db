package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	runtimemetrics "go.opentelemetry.io/contrib/instrumentation/runtime"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Telemetry holds the providers the host gives to its modules.
type Telemetry struct {
	Tracer    trace.TracerProvider
	Meter     metric.MeterProvider
	Endpoints []endpoint.Endpoint // the scrape endpoint, when enabled
	shutdown  []func(context.Context) error
}

// Setup builds tracing and metrics from the "telemetry" member of file.
func Setup(ctx context.Context, file, hostName string, raw json.RawMessage) (*Telemetry, error) {
	var c Config
	if err := config.DecodeModule(file, "telemetry", raw, &c); err != nil {
		return nil, err
	}
	return c.Build(ctx, hostName)
}

// Build creates the providers.
func (c Config) Build(ctx context.Context, hostName string) (*Telemetry, error) {
	service := c.ServiceName
	if service == "" {
		service = "cadenza"
	}
	res := resource.NewSchemaless(attribute.String("service.name", service), attribute.String("service.instance.id", hostName))
	t := &Telemetry{}
	ratio := 1.0
	if c.SampleRatio != nil {
		ratio = *c.SampleRatio
	}
	topts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res), sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio)))}
	mopts := []sdkmetric.Option{sdkmetric.WithResource(res)}
	if o := c.OTLP; o != nil {
		timeout := o.Timeout.D()
		if timeout == 0 {
			timeout = 10 * time.Second
		}
		te, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(o.Endpoint+"/v1/traces"), otlptracehttp.WithHeaders(o.Headers), otlptracehttp.WithTimeout(timeout))
		if err != nil {
			return nil, fmt.Errorf("telemetry.otlp: %w", err)
		}
		topts = append(topts, sdktrace.WithBatcher(te))
		me, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpointURL(o.Endpoint+"/v1/metrics"), otlpmetrichttp.WithHeaders(o.Headers), otlpmetrichttp.WithTimeout(timeout))
		if err != nil {
			return nil, fmt.Errorf("telemetry.otlp: %w", err)
		}
		interval := o.Interval.D()
		if interval == 0 {
			interval = 30 * time.Second
		}
		mopts = append(mopts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(me, sdkmetric.WithInterval(interval))))
	}
	if p := c.Prometheus; p != nil && p.Enabled {
		reg := prometheus.NewRegistry()
		exp, err := otelprom.New(otelprom.WithRegisterer(reg))
		if err != nil {
			return nil, fmt.Errorf("telemetry.prometheus: %w", err)
		}
		mopts = append(mopts, sdkmetric.WithReader(exp))
		path := p.Path
		if path == "" {
			path = "/metrics"
		}
		t.Endpoints = append(t.Endpoints, scrapeEndpoint(path, reg))
	}
	tp := sdktrace.NewTracerProvider(topts...)
	mp := sdkmetric.NewMeterProvider(mopts...)
	// Go runtime metrics (memory in use, GC, goroutines) for capacity planning.
	if err := runtimemetrics.Start(runtimemetrics.WithMeterProvider(mp)); err != nil {
		return nil, fmt.Errorf("telemetry: runtime metrics: %w", err)
	}
	t.Tracer, t.Meter = tp, mp
	t.shutdown = append(t.shutdown, tp.Shutdown, mp.Shutdown)
	return t, nil
}

// Shutdown flushes and stops the exporters.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	for _, f := range t.shutdown {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}

// scrapeEndpoint serves the Prometheus text exposition format.
func scrapeEndpoint(path string, g prometheus.Gatherer) endpoint.Endpoint {
	return endpoint.Endpoint{Method: http.MethodGet, Route: path, Name: "metrics",
		Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
			families, err := g.Gather()
			if err != nil {
				return nil, fault.Wrap(err, fault.Internal, "gather metrics")
			}
			var buf bytes.Buffer
			format := expfmt.NewFormat(expfmt.TypeTextPlain)
			enc := expfmt.NewEncoder(&buf, format)
			for _, f := range families {
				if err := enc.Encode(f); err != nil {
					return nil, fault.Wrap(err, fault.Internal, "encode metrics")
				}
			}
			return &endpoint.Response{Status: http.StatusOK, Metadata: endpoint.Metadata{"content-type": string(format)}, Body: buf.Bytes()}, nil
		}}
}
