package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/runner"
)

func ping() []endpoint.Endpoint {
	return []endpoint.Endpoint{{Method: "GET", Route: "/ping", Name: "ping", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
		return endpoint.Status(200), nil
	}}}
}

func TestPrometheusEndpointExposesEndpointMetrics(t *testing.T) {
	tel, err := Setup(context.Background(), "t.json", "host-1", json.RawMessage(`{"prometheus":{"enabled":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	if len(tel.Endpoints) != 1 || tel.Endpoints[0].Route != "/metrics" {
		t.Fatalf("scrape endpoint: %+v", tel.Endpoints)
	}
	eps := runner.Observe(ping(), runner.Options{Tracer: tel.Tracer, Meter: tel.Meter})
	for i := 0; i < 3; i++ {
		if _, err := eps[0].Handler(context.Background(), &endpoint.Request{Method: "GET", Metadata: endpoint.Metadata{}, Binding: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := tel.Endpoints[0].Handler(context.Background(), &endpoint.Request{})
	if err != nil {
		t.Fatal(err)
	}
	body := string(resp.Body)
	for _, want := range []string{`cadenza_endpoint_requests_total{`, `operation="ping"`, `status="200"`, `cadenza_endpoint_duration_seconds_bucket{`} {
		if !strings.Contains(body, want) {
			t.Fatalf("metrics lack %s:\n%s", want, body)
		}
	}
	if !strings.HasPrefix(resp.Metadata.Get("content-type"), "text/plain") {
		t.Fatalf("content type %q", resp.Metadata.Get("content-type"))
	}
}

func TestOTLPExportReachesTheCollector(t *testing.T) {
	var mu sync.Mutex
	paths := map[string]int{}
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		paths[r.URL.Path]++
		mu.Unlock()
		w.WriteHeader(200)
	}))
	defer collector.Close()
	tel, err := Setup(context.Background(), "t.json", "host-1", json.RawMessage(`{"otlp":{"endpoint":"`+collector.URL+`"}}`))
	if err != nil {
		t.Fatal(err)
	}
	eps := runner.Observe(ping(), runner.Options{Tracer: tel.Tracer, Meter: tel.Meter})
	if _, err := eps[0].Handler(context.Background(), &endpoint.Request{Method: "GET", Metadata: endpoint.Metadata{}}); err != nil {
		t.Fatal(err)
	}
	// Shutdown flushes the batched spans and the last metric collection.
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if paths["/v1/traces"] == 0 || paths["/v1/metrics"] == 0 {
		t.Fatalf("collector saw %v", paths)
	}
}

func TestLogsCarryTraceIDs(t *testing.T) {
	tel, err := Setup(context.Background(), "t.json", "h", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	var buf bytes.Buffer
	log := LogConfig{Format: "json"}.Logger(&buf)
	ctx, span := tel.Tracer.Tracer("t").Start(context.Background(), "op")
	log.InfoContext(ctx, "inside")
	span.End()
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["trace_id"] != span.SpanContext().TraceID().String() || rec["span_id"] == "" {
		t.Fatalf("log record %v lacks the trace", rec)
	}
}

func TestTraceContextIsPropagatedFromRequestHeaders(t *testing.T) {
	tel, err := Setup(context.Background(), "t.json", "h", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	var got string
	eps := runner.Observe([]endpoint.Endpoint{{Method: "GET", Route: "/x", Handler: func(ctx context.Context, _ *endpoint.Request) (*endpoint.Response, error) {
		var buf bytes.Buffer
		LogConfig{Format: "json"}.Logger(&buf).InfoContext(ctx, "x")
		var rec map[string]any
		_ = json.Unmarshal(buf.Bytes(), &rec)
		got, _ = rec["trace_id"].(string)
		return nil, nil
	}}}, runner.Options{Tracer: tel.Tracer, Meter: tel.Meter})
	md := endpoint.Metadata{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
	if _, err := eps[0].Handler(context.Background(), &endpoint.Request{Metadata: md}); err != nil {
		t.Fatal(err)
	}
	if got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("trace id %q", got)
	}
}

func TestConfigValidation(t *testing.T) {
	for raw, want := range map[string]string{
		`{"sampleRatio":2}`:                 "telemetry.sampleRatio: must be between 0 and 1",
		`{"otlp":{"endpoint":"ftp://x"}}`:   "telemetry.otlp.endpoint",
		`{"prometheus":{"path":"metrics"}}`: "telemetry.prometheus.path: must start with /",
		`{"prometheus":{"enabled":"yes"}}`:  "telemetry.prometheus.enabled: expected a boolean",
	} {
		_, err := Setup(context.Background(), "t.json", "h", json.RawMessage(raw))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
	}
}
