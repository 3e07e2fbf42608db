package redis

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/cadenza-edge/cadenza/coa/module"
)

// wait bounds every wait for an expected event; reaching it fails the test.
const wait = 10 * time.Second

// prefixes numbers the key prefixes of one test binary.
var prefixes atomic.Int64

// freshPrefix returns a key prefix no other bus of this process uses.
func freshPrefix() string { return fmt.Sprintf("pstest%d:", prefixes.Add(1)) }

// observed is a bus whose logs and metrics the test reads.
type observed struct {
	*Bus
	logs   *lockedBuffer
	reader *sdkmetric.ManualReader
}

// newBus connects a bus for cfg (which names the server and prefix), logs
// to the test's output and closes it at cleanup.
func newBus(t testing.TB, cfg Config) *observed {
	t.Helper()
	o := &observed{Bus: New(cfg), logs: &lockedBuffer{}, reader: sdkmetric.NewManualReader()}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(o.reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	logs := slog.NewTextHandler(&tee{a: o.logs, b: t.Output()}, &slog.HandlerOptions{Level: slog.LevelDebug})
	env := &module.Env{ID: ID, Logger: slog.New(logs), Meter: mp}
	if err := o.Init(context.Background(), env); err != nil {
		t.Fatalf("Init: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := o.Close(ctx); err != nil {
			t.Errorf("Bus.Close: %v", err)
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

// rawClient is a plain client of the test server, for setting up what a
// bus would not do (a crashed consumer, a malformed entry).
func rawClient(t testing.TB, addr string) *goredis.Client {
	c := goredis.NewClient(&goredis.Options{Addr: addr})
	t.Cleanup(func() { _ = c.Close() })
	return c
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

// tee writes to a and b.
type tee struct {
	a, b interface{ Write([]byte) (int, error) }
}

func (w *tee) Write(p []byte) (int, error) {
	_, _ = w.a.Write(p)
	return w.b.Write(p)
}
