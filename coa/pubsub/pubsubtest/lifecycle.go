package pubsubtest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// closeResult is what a Close running in its own goroutine saw.
type closeResult struct {
	err             error
	handlerFinished bool // the running handler had returned when Close returned
}

// testSubscriptionClose: Close waits for the member's running handler, and
// the member receives nothing afterwards while the group goes on.
func testSubscriptionClose(t *testing.T, s *suite) {
	topic := s.topic(t, "leave")
	started, release := newGate(), newGate()
	defer release.open()
	var finished atomic.Bool
	var calls atomic.Int32
	a := s.subscribe(t, topic, "g", func(ctx context.Context, msg pubsub.Message) error {
		calls.Add(1)
		started.open()
		err := release.wait(ctx)
		finished.Store(true)
		return err
	})
	s.publish(t, topic, "held", nil)
	started.await(t, "the first handler call")

	rest := newInbox(16)
	s.subscribe(t, topic, "g", rest.handle)

	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	wctx := newWatchCtx(ctx)
	done := make(chan closeResult, 1)
	go func() {
		err := a.Close(wctx)
		done <- closeResult{err: err, handlerFinished: finished.Load()}
	}()
	// Let Close reach its wait: a provider that watches ctx asks for Done; one
	// that does not gets a short head start (this only sharpens the check).
	grace := time.NewTimer(100 * time.Millisecond)
	defer grace.Stop()
	select {
	case r := <-done:
		t.Fatalf("Close returned (err %v) while the member's handler was running", r.err)
	case <-wctx.asked.ch:
	case <-grace.C:
	}
	release.open()
	r := Receive(t, done, "Close to return after the handler returned")
	if r.err != nil {
		t.Fatalf("Close: %v", r.err)
	}
	if !r.handlerFinished {
		t.Fatal("Close returned before the member's running handler returned")
	}

	const n = 10
	for i := range n {
		s.publish(t, topic, payload(i), nil)
	}
	for i := range n {
		if m := rest.next(t, fmt.Sprintf("message %d at the remaining member", i)); string(m.Data) != payload(i) {
			t.Fatalf("remaining member got %q, want %q", m.Data, payload(i))
		}
	}
	if c := calls.Load(); c != 1 {
		t.Fatalf("closed member's handler was called %d times after Close", c-1)
	}
	if err := a.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// testBadRequest: empty topic or group names are rejected with BadRequest.
func testBadRequest(t *testing.T, s *suite) {
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	noop := func(context.Context, pubsub.Message) error { return nil }

	if _, err := s.bus.Publish(ctx, "", []byte("x"), nil); !fault.Is(err, fault.BadRequest) {
		t.Errorf("Publish with an empty topic: %v, want a %s fault", err, fault.BadRequest)
	}
	cases := []struct{ topic, group string }{
		{"", "g"},
		{s.topic(t, "t"), ""},
	}
	for _, c := range cases {
		sub, err := s.bus.Subscribe(ctx, c.topic, c.group, noop)
		if !fault.Is(err, fault.BadRequest) {
			t.Errorf("Subscribe(%q, %q): %v, want a %s fault", c.topic, c.group, err, fault.BadRequest)
		}
		if sub != nil && err == nil {
			_ = sub.Close(ctx)
		}
	}
}
