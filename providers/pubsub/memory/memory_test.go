package memory_test

import (
	"log/slog"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
	"github.com/cadenza-edge/cadenza/internal/pubsubtesting"
	"github.com/cadenza-edge/cadenza/providers/pubsub/memory"
)

// newBus returns a bus that logs to the test's output and is closed at the
// end of the test.
func newBus(t testing.TB, cfg memory.Config) *memory.Bus {
	b := memory.New(cfg)
	pubsubtesting.Start(t, b, &module.Env{ID: "pubsub.memory", Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
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
	pubsubtest.BenchPublishDeliver(b, newBus(b, memory.Config{}))
}
