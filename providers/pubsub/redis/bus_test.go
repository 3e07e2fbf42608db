package redis

import (
	"context"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
	"github.com/cadenza-edge/cadenza/internal/pubsubtesting"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// observedBus is the bus, on the test server under a fresh prefix, that
// the shared behaviour tests of pubsubtesting run on.
func observedBus(t *testing.T, o pubsubtesting.Options) pubsubtesting.ObservedBus {
	return newBus(t, Config{Config: redisconn.Config{Addr: testserver.Redis(t), Prefix: freshPrefix()},
		MaxAttempts: o.MaxAttempts, RetryDelay: config.Duration(o.RetryDelay)})
}

func TestDropAfterMaxAttemptsIsLoggedAndCounted(t *testing.T) {
	pubsubtesting.DropAfterMaxAttemptsIsLoggedAndCounted(t, observedBus)
}

func TestHandlerPanicIsRecoveredAndRetried(t *testing.T) {
	pubsubtesting.HandlerPanicIsRecoveredAndRetried(t, observedBus)
}

func TestRetryDelay(t *testing.T) { pubsubtesting.RetryDelay(t, observedBus) }

func TestClosedBus(t *testing.T) { pubsubtesting.ClosedBus(t, observedBus) }

func TestCloseIsBoundedByContext(t *testing.T) {
	pubsubtesting.CloseIsBoundedByContext(t, observedBus)
}

func TestCloseFromOwnHandler(t *testing.T) { pubsubtesting.CloseFromOwnHandler(t, observedBus) }

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
