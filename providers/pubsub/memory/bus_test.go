package memory_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
	"github.com/cadenza-edge/cadenza/providers/pubsub/memory"
)

var errNope = errors.New("nope")

func TestDropAfterMaxAttemptsIsLoggedAndCounted(t *testing.T) {
	b := newObserved(t, memory.Config{MaxAttempts: 2})
	ctx := context.Background()
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
	b := newObserved(t, memory.Config{})
	ctx := context.Background()
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
	for _, want := range []string{"handler panicked", "panic=boom", "bus_test.go", "handler panicked: boom"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	const delay = 30 * time.Millisecond
	b := newObserved(t, memory.Config{RetryDelay: config.Duration(delay)})
	ctx := context.Background()
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

func TestClosedBus(t *testing.T) {
	b := newObserved(t, memory.Config{})
	ctx := context.Background()
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

func TestCloseIsBoundedByContext(t *testing.T) {
	b := newObserved(t, memory.Config{})
	started, ended := make(chan struct{}), make(chan error, 1)
	if _, err := b.Subscribe(context.Background(), "t", "g", func(ctx context.Context, m pubsub.Message) error {
		close(started)
		<-ctx.Done() // returns only when its context is canceled
		ended <- ctx.Err()
		return ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(context.Background(), "t", nil, nil); err != nil {
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
	if err := b.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestCloseFromOwnHandler(t *testing.T) {
	b := newObserved(t, memory.Config{})
	bg := context.Background()
	var sub pubsub.Subscription
	handlerCtx := make(chan context.Context, 1)
	closeErr := make(chan error, 1)
	sub, err := b.Subscribe(bg, "t", "g", func(ctx context.Context, m pubsub.Message) error {
		closeErr <- sub.Close(ctx)
		handlerCtx <- ctx
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	other := make(chan string, 4)
	if _, err := b.Subscribe(bg, "t", "g", func(_ context.Context, m pubsub.Message) error {
		other <- string(m.Data)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"first", "second", "third"} {
		if _, err := b.Publish(bg, "t", []byte(d), nil); err != nil {
			t.Fatal(err)
		}
	}
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
}

func TestInit(t *testing.T) {
	b := memory.New(memory.Config{})
	defer b.Close(context.Background())
	if err := b.Init(context.Background(), &module.Env{}); err != nil {
		t.Fatalf("Init with an empty env: %v", err)
	}
}
