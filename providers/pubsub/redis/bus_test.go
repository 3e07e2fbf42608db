package redis

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

var errNope = errors.New("nope")

func TestDropAfterMaxAttemptsIsLoggedAndCounted(t *testing.T) {
	b := newBus(t, Config{Config: redisconn.Config{Addr: testserver.Redis(t), Prefix: freshPrefix()}, MaxAttempts: 2})
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
	logs := b.Logs.String()
	for _, want := range []string{"every delivery attempt failed", "id=" + badID, "attempts=2", "error=nope", "redelivering"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestHandlerPanicIsRecoveredAndRetried(t *testing.T) {
	b := newBus(t, Config{Config: redisconn.Config{Addr: testserver.Redis(t), Prefix: freshPrefix()}})
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
	logs := b.Logs.String()
	for _, want := range []string{"handler panicked", "panic=boom", "bus_test.go"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	const delay = 50 * time.Millisecond
	b := newBus(t, Config{Config: redisconn.Config{Addr: testserver.Redis(t), Prefix: freshPrefix()}, RetryDelay: config.Duration(delay)})
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

// TestTwoHosts: a publisher and subscribers on separate buses (hosts)
// sharing a server and prefix; each group receives each message once.
func TestTwoHosts(t *testing.T) {
	cfg := Config{Config: redisconn.Config{Addr: testserver.Redis(t), Prefix: freshPrefix()}}
	publisher, subscriber, other := newBus(t, cfg), newBus(t, cfg), newBus(t, cfg)
	ctx := t.Context()
	got := make(chan pubsub.Message, 8)
	for _, b := range []*observed{subscriber, other} {
		if _, err := b.Subscribe(ctx, "deployments", "workers", func(_ context.Context, m pubsub.Message) error {
			got <- m
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	audit := make(chan pubsub.Message, 8)
	if _, err := other.Subscribe(ctx, "deployments", "audit", func(_ context.Context, m pubsub.Message) error {
		audit <- m
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	id, err := publisher.Publish(ctx, "deployments", []byte(`{"id":"d-1"}`), map[string]string{"type": "created"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []chan pubsub.Message{got, audit} {
		m := pubsubtest.Receive(t, ch, "the message published by the other host")
		if m.ID != id || string(m.Data) != `{"id":"d-1"}` || m.Metadata["type"] != "created" || m.Topic != "deployments" {
			t.Fatalf("received %+v, want the published message %s", m, id)
		}
	}
	// A second message also reaches the workers group exactly once, and the
	// first one is not delivered again.
	id2, err := publisher.Publish(ctx, "deployments", []byte("second"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := pubsubtest.Receive(t, got, "the second message"); m.ID != id2 {
		t.Fatalf("workers got %s (%q), want %s", m.ID, m.Data, id2)
	}
	// Another prefix is another namespace.
	elsewhere := newBus(t, Config{Config: redisconn.Config{Addr: cfg.Addr, Prefix: freshPrefix()}})
	if _, err := elsewhere.Publish(ctx, "deployments", []byte("elsewhere"), nil); err != nil {
		t.Fatal(err)
	}
	if m := pubsubtest.Receive(t, audit, "the second message in the audit group"); m.ID != id2 {
		t.Fatalf("audit got %s (%q), want %s", m.ID, m.Data, id2)
	}
}

func TestClosedBus(t *testing.T) {
	b := newBus(t, Config{Config: redisconn.Config{Addr: testserver.Redis(t), Prefix: freshPrefix()}})
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

func TestNotConnected(t *testing.T) {
	b := New(Config{Config: redisconn.Config{Addr: "127.0.0.1:1"}})
	ctx := t.Context()
	if _, err := b.Publish(ctx, "t", nil, nil); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Publish before Init: %v, want unavailable", err)
	}
	if err := b.Health(ctx); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Health before Init: %v, want unavailable", err)
	}
	if _, err := b.Subscribe(ctx, "t", "g", nil); !fault.Is(err, fault.BadRequest) {
		t.Errorf("Subscribe with a nil handler: %v, want bad-request", err)
	}
	if err := b.Close(ctx); err != nil {
		t.Errorf("Close of a bus never connected: %v", err)
	}
}

func TestCloseIsBoundedByContext(t *testing.T) {
	b := newBus(t, Config{Config: redisconn.Config{Addr: testserver.Redis(t), Prefix: freshPrefix()}})
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

// TestCloseFromOwnHandler: a member may close its own subscription from
// its handler without waiting for itself.
func TestCloseFromOwnHandler(t *testing.T) {
	b := newBus(t, Config{Config: redisconn.Config{Addr: testserver.Redis(t), Prefix: freshPrefix()}})
	subs := make(chan pubsub.Subscription, 1)
	closed := make(chan error, 1)
	sub, err := b.Subscribe(t.Context(), "t", "g", func(ctx context.Context, m pubsub.Message) error {
		closed <- (<-subs).Close(ctx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	subs <- sub
	if _, err := b.Publish(t.Context(), "t", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := pubsubtest.Receive(t, closed, "Close from the handler"); err != nil {
		t.Fatalf("Close from the handler: %v", err)
	}
	if err := sub.Close(t.Context()); err != nil {
		t.Fatalf("Close after the handler's Close: %v", err)
	}
}
