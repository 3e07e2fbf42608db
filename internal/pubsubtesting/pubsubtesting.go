// Package pubsubtesting is test support the pubsub providers' own tests
// share (pubsub.memory, pubsub.redis): starting a bus for a test, reading
// what it logged and the metrics it recorded, and the behaviour tests both
// providers pass beyond the conformance kit (behaviour.go: logs and
// metrics, the bus's Close and Health, configured attempts and retry
// delay, closing a subscription from its own handler). Each provider calls
// every behaviour test from a Test function of its own, with a NewBus for
// its bus. It needs the OpenTelemetry SDK, which the framework module, and
// so the conformance kit coa/pubsub/pubsubtest, may not import; what does
// not need it is in the kit.
package pubsubtesting

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
)

// Bus is what Start needs of a provider's bus.
type Bus interface {
	module.Initer
	module.Closer
}

// Start inits b with env and closes it when the test ends. A failing Init
// fails the test at once; a Close that fails, or does not return within
// pubsubtest.Wait, fails it at cleanup.
func Start(t testing.TB, b Bus, env *module.Env) {
	t.Helper()
	if err := b.Init(context.Background(), env); err != nil {
		t.Fatalf("Init: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), pubsubtest.Wait)
		defer cancel()
		if err := b.Close(ctx); err != nil {
			t.Errorf("Bus.Close: %v", err)
		}
	})
}

// Observer is a module environment whose logs and metrics a test reads.
type Observer struct {
	// Logs holds the text (slog.TextHandler) of every record logged
	// through Env, from debug level up.
	Logs   *LockedBuffer
	reader *sdkmetric.ManualReader
	env    *module.Env
}

// NewObserver returns an environment for the module id whose logger writes
// to Logs, and to echo too when it is not nil (e.g. t.Output()), and whose
// meter provider is read by Counter. The meter provider is shut down at
// cleanup: Start the bus after NewObserver, so it closes first.
func NewObserver(t testing.TB, id string, echo io.Writer) *Observer {
	o := &Observer{Logs: &LockedBuffer{}, reader: sdkmetric.NewManualReader()}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(o.reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	var w io.Writer = o.Logs
	if echo != nil {
		w = &tee{a: o.Logs, b: echo}
	}
	logger := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.env = &module.Env{ID: id, Logger: logger, Meter: mp}
	return o
}

// Env returns the environment to Init the bus with.
func (o *Observer) Env() *module.Env { return o.env }

// LogText returns what was logged so far (Logs).
func (o *Observer) LogText() string { return o.Logs.String() }

// Counter sums the data points of the int64 counter name whose attributes
// include every key=value of attrs (nil: all of them). A counter that is
// not an int64 sum fails the test.
func (o *Observer) Counter(t testing.TB, name string, attrs map[string]string) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := o.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	var total int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			sum, ok := m.Data.(metricdata.Sum[int64])
			if !ok {
				t.Fatalf("%s is a %T, want an int64 sum", name, m.Data)
			}
		points:
			for _, dp := range sum.DataPoints {
				for k, v := range attrs {
					if got, ok := dp.Attributes.Value(attribute.Key(k)); !ok || got.AsString() != v {
						continue points
					}
				}
				total += dp.Value
			}
		}
	}
	return total
}

// LockedBuffer is a bytes.Buffer safe for concurrent writers.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tee writes to a and b.
type tee struct {
	a, b io.Writer
}

func (w *tee) Write(p []byte) (int, error) {
	_, _ = w.a.Write(p)
	return w.b.Write(p)
}
