package mqtt_test

import (
	"context"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/runner"
	"github.com/cadenza-edge/cadenza/internal/testserver"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestHostMiddlewareSeesTheMQTTBinding checks that the spans and metrics
// the host's middleware records name bindings.mqtt, and that a W3C
// traceparent sent as metadata makes the server span a child of the
// client's trace.
func TestHostMiddlewareSeesTheMQTTBinding(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	eps := runner.Observe(notesVendor(), runner.Options{Logger: quiet, Tracer: tp, Meter: mp})

	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	startBinding(t, broker, prefix, "", eps)
	c := newClient(t, broker, prefix)
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	do(t, c, "GET", "/notes/x", endpoint.Metadata{"traceparent": "00-" + traceID + "-00f067aa0ba902b7-01"}, "")

	ended := spans.Ended()
	if len(ended) != 1 {
		t.Fatalf("%d spans", len(ended))
	}
	s := ended[0]
	if s.Name() != "notes.get" || s.SpanContext().TraceID().String() != traceID || s.Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Fatalf("span %s trace %s parent %s", s.Name(), s.SpanContext().TraceID(), s.Parent().SpanID())
	}
	attrs := map[attribute.Key]attribute.Value{}
	for _, a := range s.Attributes() {
		attrs[a.Key] = a.Value
	}
	if attrs["cadenza.binding"].AsString() != "bindings.mqtt" || attrs["http.response.status_code"].AsInt64() != 404 || attrs["http.route"].AsString() != "/notes/{id}" {
		t.Fatalf("span attributes %v", attrs)
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			sum, ok := m.Data.(metricdata.Sum[int64])
			if m.Name != "cadenza.endpoint.requests" || !ok {
				continue
			}
			for _, dp := range sum.DataPoints {
				b, _ := dp.Attributes.Value("binding")
				st, _ := dp.Attributes.Value("status")
				if b.AsString() == "bindings.mqtt" && st.AsString() == "404" && dp.Value == 1 {
					found = true
				}
			}
		}
	}
	if !found {
		t.Fatalf("no cadenza.endpoint.requests point for bindings.mqtt: %+v", rm.ScopeMetrics)
	}
}
