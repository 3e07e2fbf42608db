package memory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
	"github.com/cadenza-edge/cadenza/internal/pubsubtesting"
	"github.com/cadenza-edge/cadenza/providers/pubsub/memory"
)

// observedBus is the memory bus the shared behaviour tests of
// pubsubtesting run on.
func observedBus(t *testing.T, o pubsubtesting.Options) pubsubtesting.ObservedBus {
	return newObserved(t, memory.Config{MaxAttempts: o.MaxAttempts, RetryDelay: config.Duration(o.RetryDelay)})
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

func TestRoundRobin(t *testing.T) {
	b := newObserved(t, memory.Config{})
	ctx := context.Background()
	got := make(chan int, 30)
	for k := range 3 {
		if _, err := b.Subscribe(ctx, "t", "g", func(context.Context, pubsub.Message) error {
			got <- k
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		if _, err := b.Publish(ctx, "t", []byte(fmt.Sprint(i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	counts := make([]int, 3)
	for range 30 {
		counts[pubsubtest.Receive(t, got, "a delivery")]++
	}
	if counts[0] != 10 || counts[1] != 10 || counts[2] != 10 {
		t.Fatalf("deliveries per member %v, want 10 each", counts)
	}
}

func TestSubscribeNilHandler(t *testing.T) {
	b := newObserved(t, memory.Config{})
	if _, err := b.Subscribe(context.Background(), "t", "g", nil); !fault.Is(err, fault.BadRequest) {
		t.Fatalf("Subscribe(nil handler): %v, want bad-request", err)
	}
}

// fullQueue subscribes a handler that holds the first message until release
// and fills the group's one-slot queue behind it.
func fullQueue(t *testing.T, b *observed, release <-chan struct{}) pubsub.Subscription {
	t.Helper()
	ctx := context.Background()
	started := make(chan struct{})
	sub, err := b.Subscribe(ctx, "t", "g", func(ctx context.Context, m pubsub.Message) error {
		if string(m.Data) == "held" {
			close(started)
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(ctx, "t", []byte("held"), nil); err != nil {
		t.Fatal(err)
	}
	pubsubtest.Receive(t, started, "the held message")
	if _, err := b.Publish(ctx, "t", []byte("queued"), nil); err != nil {
		t.Fatal(err)
	}
	return sub
}

// blockedPublish starts a Publish that blocks on the full queue.
func blockedPublish(t *testing.T, b *observed) <-chan error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), pubsubtest.Wait)
	t.Cleanup(cancel)
	w := newWatchCtx(ctx)
	res := make(chan error, 1)
	go func() {
		_, err := b.Publish(w, "t", []byte("blocked"), nil)
		res <- err
	}()
	select {
	case err := <-res:
		t.Fatalf("Publish on a full queue returned %v", err)
	case <-w.asked:
	}
	return res
}

func TestCloseWakesBlockedPublisher(t *testing.T) {
	b := newObserved(t, memory.Config{QueueSize: 1})
	release := make(chan struct{})
	fullQueue(t, b, release)
	res := blockedPublish(t, b)

	closed := make(chan error, 1)
	go func() { closed <- b.Close(context.Background()) }()
	if err := pubsubtest.Receive(t, res, "the blocked Publish"); !fault.Is(err, fault.Unavailable) {
		t.Fatalf("blocked Publish during Close: %v, want unavailable", err)
	}
	close(release)
	if err := pubsubtest.Receive(t, closed, "Close"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := b.Counter(t, "cadenza.pubsub.dropped", map[string]string{"reason": "closed"}); n != 1 {
		t.Errorf("dropped{reason=closed} = %d, want 1 (the queued message)", n)
	}
}

func TestLastMemberLeavingReleasesPublisher(t *testing.T) {
	b := newObserved(t, memory.Config{QueueSize: 1})
	release := make(chan struct{})
	sub := fullQueue(t, b, release)
	res := blockedPublish(t, b)

	closed := make(chan error, 1)
	go func() { closed <- sub.Close(context.Background()) }()
	if err := pubsubtest.Receive(t, res, "the blocked Publish"); err != nil {
		t.Fatalf("Publish once the group left: %v, want success (no subscriber)", err)
	}
	close(release)
	if err := pubsubtest.Receive(t, closed, "Subscription.Close"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := b.Counter(t, "cadenza.pubsub.dropped", map[string]string{"reason": "unsubscribed"}); n != 1 {
		t.Errorf("dropped{reason=unsubscribed} = %d, want 1 (the queued message)", n)
	}
}

func TestInit(t *testing.T) {
	b := memory.New(memory.Config{})
	defer b.Close(context.Background())
	if err := b.Init(context.Background(), &module.Env{}); err != nil {
		t.Fatalf("Init with an empty env: %v", err)
	}
}
