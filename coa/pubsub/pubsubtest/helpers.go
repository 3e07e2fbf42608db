package pubsubtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// suite is the state one subtest shares with its helpers.
type suite struct {
	bus   pubsub.Bus
	opts  options
	nonce string
}

// topic returns a topic name unique to this Run and subtest.
func (s *suite) topic(t *testing.T, name string) string {
	sub := strings.NewReplacer("/", ".", " ", "_").Replace(t.Name())
	return "pubsubtest." + s.nonce + "." + sub + "." + name
}

// subscribe subscribes handler and closes the subscription in t.Cleanup.
func (s *suite) subscribe(t *testing.T, topic, group string, handler pubsub.Handler) pubsub.Subscription {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	sub, err := s.bus.Subscribe(ctx, topic, group, handler)
	if err != nil {
		t.Fatalf("Subscribe(%q, %q): %v", topic, group, err)
	}
	if sub == nil {
		t.Fatalf("Subscribe(%q, %q) returned a nil subscription", topic, group)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Wait)
		defer cancel()
		if err := sub.Close(ctx); err != nil {
			t.Errorf("Subscription.Close(%q, %q) in cleanup: %v", topic, group, err)
		}
	})
	return sub
}

// publish publishes from the test goroutine and fails the test on error.
func (s *suite) publish(t *testing.T, topic, data string, metadata map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	id, err := s.bus.Publish(ctx, topic, []byte(data), metadata)
	if err != nil {
		t.Fatalf("Publish(%q, %q): %v", topic, data, err)
	}
	return id
}

// publishAll publishes data in order from a goroutine; errors fail the
// test. The returned channel is closed when it is done. The test's cleanup
// stops the goroutine and waits for it.
func (s *suite) publishAll(t *testing.T, topic string, data []string) <-chan struct{} {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() {
		stop()
		<-done
	})
	go func() {
		defer close(done)
		pctx, cancel := context.WithTimeout(ctx, Wait)
		defer cancel()
		for _, d := range data {
			if _, err := s.bus.Publish(pctx, topic, []byte(d), nil); err != nil {
				if ctx.Err() == nil { // not stopped by the cleanup
					t.Errorf("Publish(%q, %q): %v", topic, d, err)
				}
				return
			}
		}
	}()
	return done
}

// payload is the data of the i-th numbered message.
func payload(i int) string { return fmt.Sprintf("msg-%04d", i) }

// payloads returns the data of messages 0 to n-1.
func payloads(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = payload(i)
	}
	return out
}

// inbox is a handler that forwards every message to a buffered channel.
type inbox struct{ ch chan pubsub.Message }

func newInbox(size int) *inbox { return &inbox{ch: make(chan pubsub.Message, size)} }

func (in *inbox) handle(ctx context.Context, msg pubsub.Message) error {
	select {
	case in.ch <- msg:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// next returns the next message; it fails the test after Wait.
func (in *inbox) next(t *testing.T, what string) pubsub.Message {
	t.Helper()
	return Receive(t, in.ch, what)
}

// Receive takes one value from ch for a test; it fails the test after
// Wait, naming what it waited for. Providers' own tests use it for their
// handlers' channels too.
func Receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(Wait)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("waited %s for %s", Wait, what)
		panic("unreachable")
	}
}

// gate is a one-shot event: open closes it, waiters proceed.
type gate struct {
	once sync.Once
	ch   chan struct{}
}

func newGate() *gate { return &gate{ch: make(chan struct{})} }

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

// wait blocks until the gate opens or ctx ends (for use inside handlers).
func (g *gate) wait(ctx context.Context) error {
	select {
	case <-g.ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// await blocks the test goroutine until the gate opens; it fails after Wait.
func (g *gate) await(t *testing.T, what string) {
	t.Helper()
	Receive(t, g.ch, what)
}

// watchCtx is a context that reports when a callee first asks for Done: a
// provider that is about to block on ctx does so. The kit uses it to learn
// that Publish or Close is waiting without sleeping.
type watchCtx struct {
	context.Context
	asked *gate
}

func newWatchCtx(parent context.Context) *watchCtx {
	return &watchCtx{Context: parent, asked: newGate()}
}

func (c *watchCtx) Done() <-chan struct{} {
	c.asked.open()
	return c.Context.Done()
}

// record is one handler call as a rule saw it.
type record struct {
	data    string
	id      string
	attempt int
}

func (r record) String() string { return fmt.Sprintf("%s#%d", r.data, r.attempt) }
