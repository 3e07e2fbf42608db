package memory_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/providers/pubsub/memory"
)

const wait = 10 * time.Second

// observed is a bus whose logs and metrics the test reads.
type observed struct {
	*memory.Bus
	logs   *lockedBuffer
	reader *sdkmetric.ManualReader
}

func newObserved(t *testing.T, cfg memory.Config) *observed {
	t.Helper()
	o := &observed{Bus: memory.New(cfg), logs: &lockedBuffer{}, reader: sdkmetric.NewManualReader()}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(o.reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	env := &module.Env{
		ID:     "pubsub.memory",
		Logger: slog.New(slog.NewTextHandler(o.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Meter:  mp,
	}
	if err := o.Init(context.Background(), env); err != nil {
		t.Fatalf("Init: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := o.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return o
}

// counter sums the data points of an int64 counter whose attributes
// include every key=value of attrs.
func (o *observed) counter(t *testing.T, name string, attrs map[string]string) int64 {
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
		dataPoints:
			for _, dp := range sum.DataPoints {
				for k, v := range attrs {
					if got, ok := dp.Attributes.Value(attribute.Key(k)); !ok || got.AsString() != v {
						continue dataPoints
					}
				}
				total += dp.Value
			}
		}
	}
	return total
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// watchCtx reports when a callee first asks for Done, i.e. is about to
// block on the context.
type watchCtx struct {
	context.Context
	once  sync.Once
	asked chan struct{}
}

func newWatchCtx(parent context.Context) *watchCtx {
	return &watchCtx{Context: parent, asked: make(chan struct{})}
}

func (c *watchCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.asked) })
	return c.Context.Done()
}

// recv takes one value from ch or fails the test after wait.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("waited %s for %s", wait, what)
		panic("unreachable")
	}
}
