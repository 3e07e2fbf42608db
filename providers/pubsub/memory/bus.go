// Package memory is pubsub.memory, the in-process pub/sub provider.
//
// Each (topic, group) pair has one bounded FIFO queue and one delivery
// goroutine that hands the queued messages, one at a time, to the group's
// members in turn (round robin). A group therefore sees its topic's messages
// in publish order, and at most one of its handlers runs at a time. Publish
// copies the data and metadata once per group, so neither the publisher nor
// another group's handler can change what a handler sees, and it waits while
// any group of the topic has a full queue, then enqueues to all groups at
// once: a canceled Publish delivers nothing.
//
// A failed (or panicking) handler call is retried, after RetryDelay, up to
// MaxAttempts times; then the message is dropped, logged and counted, and the
// group moves on. When a group's last member leaves, the group and its queued
// messages go away; a group subscribing later starts with the messages
// published after it subscribed.
//
// A handler must not Publish to a topic its own group subscribes to while
// that group's queue may be full: the group cannot drain while its handler
// waits.
package memory

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// meterName is the instrumentation scope of the bus's metrics.
const meterName = "github.com/cadenza-edge/cadenza/providers/pubsub/memory"

// Bus is the in-memory pubsub.Bus. Create it with New, or through the module
// registry as "pubsub.memory".
type Bus struct {
	cfg     Config
	logger  *slog.Logger    // nil: slog.Default()
	metrics *pubsub.Metrics // nil until Init is given a meter: counts nothing

	mu       sync.RWMutex
	topics   map[string]*topic // topics with at least one group
	closed   bool
	stopping chan struct{}  // closed by Close: stop delivering
	wg       sync.WaitGroup // delivery goroutines

	seq atomic.Uint64 // message IDs

	// life is the parent of the handlers' contexts; Close cancels it once
	// delivery has stopped or its grace period is over.
	life    context.Context
	endLife context.CancelFunc
}

var (
	_ pubsub.Bus           = (*Bus)(nil)
	_ module.Configurable  = (*Bus)(nil)
	_ module.Initer        = (*Bus)(nil)
	_ module.Closer        = (*Bus)(nil)
	_ module.HealthChecker = (*Bus)(nil)
)

// New returns a running bus. Zero (or invalid) fields of cfg take their
// defaults.
func New(cfg Config) *Bus {
	life, end := context.WithCancel(context.Background())
	return &Bus{
		cfg:      cfg.withDefaults(),
		topics:   make(map[string]*topic),
		stopping: make(chan struct{}),
		life:     life,
		endLife:  end,
	}
}

// ConfigTarget returns the config the host decodes into, before Init.
func (b *Bus) ConfigTarget() any { return &b.cfg }

// Init takes the logger and the meter from env.
func (b *Bus) Init(ctx context.Context, env *module.Env) error {
	if env == nil {
		return nil
	}
	if env.Logger != nil {
		b.logger = env.Logger
	}
	if env.Meter != nil {
		ms, err := pubsub.NewMetrics(env.Meter.Meter(meterName))
		if err != nil {
			return fmt.Errorf("pubsub.memory: %w", err)
		}
		b.metrics = ms
	}
	return nil
}

// Health is nil until the bus is closed.
func (b *Bus) Health(ctx context.Context) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return errClosed("health")
	}
	return nil
}

// Close stops delivery and waits, until ctx ends, for the running handlers
// to return; then it cancels the handlers' contexts. Queued messages are
// dropped (logged and counted with reason "closed"); blocked and later
// Publish calls and later Subscribe calls fail with fault.Unavailable.
// Close may be called again, e.g. to wait longer after ctx ended.
func (b *Bus) Close(ctx context.Context) error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.stopping)
	}
	b.mu.Unlock()

	// The waiter outlives a canceled Close until the last handler returns,
	// which canceling the handlers' contexts below asks them to do.
	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	defer b.endLife()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("pubsub.memory: close: handlers still running: %w", ctx.Err())
	}
}

func (b *Bus) log() *slog.Logger {
	if b.logger != nil {
		return b.logger
	}
	return slog.Default()
}

// isStopping reports whether Close has been called.
func (b *Bus) isStopping() bool {
	select {
	case <-b.stopping:
		return true
	default:
		return false
	}
}

// nextID returns a new message ID; IDs increase in publish order.
func (b *Bus) nextID() string { return strconv.FormatUint(b.seq.Add(1), 10) }

func errClosed(op string) error {
	return fault.New(fault.Unavailable, "pubsub.memory: %s: the bus is closed", op)
}
