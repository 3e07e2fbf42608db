package memory_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
	"github.com/cadenza-edge/cadenza/providers/pubsub/memory"
)

// newBus returns a bus that logs to the test's output and is closed at the
// end of the test.
func newBus(t testing.TB, cfg memory.Config) *memory.Bus {
	b := memory.New(cfg)
	env := &module.Env{ID: "pubsub.memory", Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
	if err := b.Init(context.Background(), env); err != nil {
		t.Fatalf("Init: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.Close(ctx); err != nil {
			t.Errorf("Bus.Close: %v", err)
		}
	})
	return b
}

func TestConformance(t *testing.T) {
	cfg := memory.Config{QueueSize: 4, MaxAttempts: 3}
	pubsubtest.Run(t, func(t *testing.T) pubsub.Bus { return newBus(t, cfg) },
		pubsubtest.Bounded(cfg.QueueSize), pubsubtest.MaxAttempts(cfg.MaxAttempts))
}

func TestConformanceDefaults(t *testing.T) {
	pubsubtest.Run(t, func(t *testing.T) pubsub.Bus { return newBus(t, memory.Config{}) },
		pubsubtest.Bounded(memory.DefaultQueueSize), pubsubtest.MaxAttempts(memory.DefaultMaxAttempts))
}

func TestConformanceSingleAttempt(t *testing.T) {
	cfg := memory.Config{QueueSize: 1, MaxAttempts: 1}
	pubsubtest.Run(t, func(t *testing.T) pubsub.Bus { return newBus(t, cfg) },
		pubsubtest.Bounded(cfg.QueueSize), pubsubtest.MaxAttempts(cfg.MaxAttempts))
}

// BenchmarkPublishDeliver measures messages per second from one publisher
// through one group with one member.
func BenchmarkPublishDeliver(b *testing.B) {
	bus := newBus(b, memory.Config{})
	ctx := context.Background()
	done := make(chan struct{})
	var count int // only the group's delivery goroutine touches it
	total := b.N
	sub, err := bus.Subscribe(ctx, "bench", "g", func(context.Context, pubsub.Message) error {
		count++
		if count == total {
			close(done)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sub.Close(context.Background()) })
	data := []byte(`{"deployment":"d-1","state":"running"}`)
	meta := map[string]string{"content-type": "application/json"}

	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := bus.Publish(ctx, "bench", data, meta); err != nil {
			b.Fatal(err)
		}
	}
	<-done
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}
