package pubsubtesting

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
)

// ObservedBus is a started bus of the provider under test, with what it
// logged and the metrics it recorded. A provider's test type that embeds
// its *Bus and an *Observer implements it.
type ObservedBus interface {
	pubsub.Bus
	module.Closer
	module.HealthChecker
	Counter(t testing.TB, name string, attrs map[string]string) int64
	LogText() string
}

// Options are the settings a behaviour test asks of the bus under test;
// a zero field leaves the provider's default.
type Options struct {
	MaxAttempts int
	RetryDelay  time.Duration
}

// NewBus returns a bus of the provider under test configured with opts,
// started (see Start) on an Observer and sharing its topics with no other
// bus.
type NewBus func(t *testing.T, opts Options) ObservedBus

var errNope = errors.New("nope")

// DropAfterMaxAttemptsIsLoggedAndCounted: a message whose every attempt
// fails is dropped, logged and counted, while the group goes on with the
// next one; publishing and delivering are counted too.
func DropAfterMaxAttemptsIsLoggedAndCounted(t *testing.T, newBus NewBus) {
	b := newBus(t, Options{MaxAttempts: 2})
	ctx := t.Context()
	done := make(chan string, 4)
	if _, err := b.Subscribe(ctx, "t", "g", func(_ context.Context, m pubsub.Message) error {
		if string(m.Data) == "bad" {
			return errNope
		}
		done <- string(m.Data)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	badID, _ := b.Publish(ctx, "t", []byte("bad"), nil)
	_, _ = b.Publish(ctx, "t", []byte("good"), nil)
	_, _ = b.Publish(ctx, "nobody-listens", []byte("x"), nil)
	if got := pubsubtest.Receive(t, done, "the good message"); got != "good" {
		t.Fatalf("got %q", got)
	}
	if err := b.Close(ctx); err != nil { // settles the counters
		t.Fatal(err)
	}

	if n := b.Counter(t, "cadenza.pubsub.published", map[string]string{"topic": "t"}); n != 2 {
		t.Errorf("published{topic=t} = %d, want 2", n)
	}
	if n := b.Counter(t, "cadenza.pubsub.published", nil); n != 3 {
		t.Errorf("published = %d, want 3", n)
	}
	if n := b.Counter(t, "cadenza.pubsub.delivered", map[string]string{"topic": "t", "group": "g"}); n != 1 {
		t.Errorf("delivered = %d, want 1", n)
	}
	if n := b.Counter(t, "cadenza.pubsub.dropped", map[string]string{"reason": "max_attempts", "group": "g"}); n != 1 {
		t.Errorf("dropped{reason=max_attempts} = %d, want 1", n)
	}
	logs := b.LogText()
	for _, want := range []string{"every delivery attempt failed", "id=" + badID, "attempts=2", "error=nope", "redelivering"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// HandlerPanicIsRecoveredAndRetried: a panicking handler call is logged
// with its stack, counts as a failed attempt and the message is delivered
// again.
func HandlerPanicIsRecoveredAndRetried(t *testing.T, newBus NewBus) {
	b := newBus(t, Options{})
	ctx := t.Context()
	done := make(chan int, 1)
	if _, err := b.Subscribe(ctx, "t", "g", func(_ context.Context, m pubsub.Message) error {
		if m.Attempt == 1 {
			panic("boom")
		}
		done <- m.Attempt
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(ctx, "t", []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	if a := pubsubtest.Receive(t, done, "the redelivery after the panic"); a != 2 {
		t.Fatalf("attempt %d, want 2", a)
	}
	_, file, _, _ := runtime.Caller(0) // the handler's file, which the logged stack names
	logs := b.LogText()
	for _, want := range []string{"handler panicked", "panic=boom", filepath.Base(file), "handler panicked: boom"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// RetryDelay: a redelivery comes no sooner than the configured delay.
func RetryDelay(t *testing.T, newBus NewBus) {
	const delay = 50 * time.Millisecond
	b := newBus(t, Options{RetryDelay: delay})
	ctx := t.Context()
	calls := make(chan time.Time, 2)
	if _, err := b.Subscribe(ctx, "t", "g", func(_ context.Context, m pubsub.Message) error {
		calls <- time.Now()
		if m.Attempt == 1 {
			return errNope
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(ctx, "t", nil, nil); err != nil {
		t.Fatal(err)
	}
	first, second := pubsubtest.Receive(t, calls, "attempt 1"), pubsubtest.Receive(t, calls, "attempt 2")
	if gap := second.Sub(first); gap < delay {
		t.Fatalf("redelivered after %s, want at least %s", gap, delay)
	}
}

// ClosedBus: Close is idempotent, and a closed bus is unhealthy and
// refuses Publish and Subscribe as unavailable.
func ClosedBus(t *testing.T, newBus NewBus) {
	b := newBus(t, Options{})
	ctx := t.Context()
	if err := b.Health(ctx); err != nil {
		t.Fatalf("Health before Close: %v", err)
	}
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := b.Health(ctx); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Health after Close: %v, want unavailable", err)
	}
	if _, err := b.Publish(ctx, "t", nil, nil); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Publish after Close: %v, want unavailable", err)
	}
	if _, err := b.Subscribe(ctx, "t", "g", func(context.Context, pubsub.Message) error { return nil }); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Subscribe after Close: %v, want unavailable", err)
	}
}

// CloseIsBoundedByContext: Close returns when its context ends although a
// handler still runs, and cancels that handler's context; a second Close
// then succeeds.
func CloseIsBoundedByContext(t *testing.T, newBus NewBus) {
	b := newBus(t, Options{})
	started, ended := make(chan struct{}), make(chan error, 1)
	if _, err := b.Subscribe(t.Context(), "t", "g", func(ctx context.Context, m pubsub.Message) error {
		close(started)
		<-ctx.Done() // returns only when its context is canceled
		ended <- ctx.Err()
		return ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(t.Context(), "t", nil, nil); err != nil {
		t.Fatal(err)
	}
	pubsubtest.Receive(t, started, "the handler to start")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close with a canceled context: %v, want context.Canceled", err)
	}
	if err := pubsubtest.Receive(t, ended, "the handler's context to be canceled"); !errors.Is(err, context.Canceled) {
		t.Fatalf("handler context ended with %v", err)
	}
	if err := b.Close(t.Context()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// CloseFromOwnHandler: a member may close its own subscription from its
// handler without waiting for itself; the handler's context ends once it
// returns, the messages published meanwhile go to the group's remaining
// member, and closing the subscription again succeeds.
func CloseFromOwnHandler(t *testing.T, newBus NewBus) {
	b := newBus(t, Options{})
	tctx := t.Context()
	var sub pubsub.Subscription
	held := make(chan string, 4)
	proceed := make(chan struct{})
	closeErr, handlerCtx := make(chan error, 4), make(chan context.Context, 4)
	sub, err := b.Subscribe(tctx, "t", "g", func(ctx context.Context, m pubsub.Message) error {
		held <- string(m.Data)
		select {
		case <-proceed:
		case <-ctx.Done():
			return ctx.Err()
		}
		closeErr <- sub.Close(ctx)
		handlerCtx <- ctx
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(tctx, "t", []byte("first"), nil); err != nil {
		t.Fatal(err)
	}
	// The closing member, alone in the group so far, holds the first
	// message while the other member joins and two more are published.
	if got := pubsubtest.Receive(t, held, "the first message"); got != "first" {
		t.Fatalf("closing member got %q, want %q", got, "first")
	}
	other := make(chan string, 4)
	if _, err := b.Subscribe(tctx, "t", "g", func(_ context.Context, m pubsub.Message) error {
		other <- string(m.Data)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"second", "third"} {
		if _, err := b.Publish(tctx, "t", []byte(d), nil); err != nil {
			t.Fatal(err)
		}
	}
	close(proceed)
	if err := pubsubtest.Receive(t, closeErr, "Close inside the handler"); err != nil {
		t.Fatalf("Close from the handler: %v", err)
	}
	ctx := pubsubtest.Receive(t, handlerCtx, "the handler to return")
	pubsubtest.Receive(t, ctx.Done(), "the closed member's context to end")
	for _, want := range []string{"second", "third"} {
		if got := pubsubtest.Receive(t, other, want); got != want {
			t.Fatalf("remaining member got %q, want %q", got, want)
		}
	}
	if err := sub.Close(tctx); err != nil {
		t.Fatalf("Close after the handler's Close: %v", err)
	}
}
