package pubsubtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// testConcurrentPublishers: messages published from several goroutines at
// once all arrive, each publisher's in its own order.
func testConcurrentPublishers(t *testing.T, s *suite) {
	const publishers, each, groups = 8, 50, 2
	topic := s.topic(t, "busy")
	inboxes := make([]*inbox, groups)
	for g := range groups {
		inboxes[g] = newInbox(publishers * each)
		s.subscribe(t, topic, fmt.Sprintf("group-%d", g), inboxes[g].handle)
	}

	// The cleanup stops and waits for the publishers when the test ends early.
	stopCtx, stop := context.WithCancel(context.Background())
	ctx, cancel := context.WithTimeout(stopCtx, Wait)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		stop()
		wg.Wait()
		cancel()
	})
	for p := range publishers {
		wg.Go(func() {
			for i := range each {
				if _, err := s.bus.Publish(ctx, topic, []byte(fmt.Sprintf("%d/%04d", p, i)), nil); err != nil {
					if stopCtx.Err() == nil {
						t.Errorf("publisher %d message %d: %v", p, i, err)
					}
					return
				}
			}
		})
	}

	for g, in := range inboxes {
		next := make([]int, publishers) // next expected index per publisher
		for k := range publishers * each {
			m := in.next(t, fmt.Sprintf("message %d of %d in group-%d", k+1, publishers*each, g))
			var p, i int
			if _, err := fmt.Sscanf(string(m.Data), "%d/%d", &p, &i); err != nil || p < 0 || p >= publishers {
				t.Fatalf("group-%d: unexpected message %q", g, m.Data)
			}
			if i != next[p] {
				t.Fatalf("group-%d: publisher %d's message %d arrived when %d was expected", g, p, i, next[p])
			}
			next[p]++
		}
	}
	wg.Wait()
}

// testBackpressure: with a group's queue full and its handler blocked,
// Publish blocks until its context ends and then returns the context's
// error; once the handler proceeds, a blocked Publish completes. The
// canceled message is never delivered.
func testBackpressure(t *testing.T, s *suite) {
	size := s.opts.queueSize
	if size <= 0 {
		t.Skip("the provider does not declare Bounded")
	}
	topic := s.topic(t, "full")
	in := newInbox(size + 2)
	started, release := newGate(), newGate()
	defer release.open()
	s.subscribe(t, topic, "slow", func(ctx context.Context, msg pubsub.Message) error {
		if string(msg.Data) == "first" {
			started.open()
			if err := release.wait(ctx); err != nil {
				return err
			}
		}
		return in.handle(ctx, msg)
	})
	s.publish(t, topic, "first", nil)
	started.await(t, "the handler to start on the first message")

	// The queue takes size more messages beside the one being handled.
	for i := range size {
		s.publish(t, topic, payload(i), nil)
	}

	// The queue is full: Publish blocks until its context is canceled.
	cctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wctx := newWatchCtx(cctx)
	canceled := make(chan error, 1)
	go func() {
		_, err := s.bus.Publish(wctx, topic, []byte("canceled"), nil)
		canceled <- err
	}()
	awaitBlocked(t, wctx, canceled)
	cancel()
	if err := Receive(t, canceled, "the blocked Publish to return after cancel"); !errors.Is(err, context.Canceled) {
		t.Fatalf("blocked Publish returned %v after its context was canceled, want context.Canceled", err)
	}

	// A blocked Publish completes once the handler proceeds.
	lctx, lcancel := context.WithTimeout(context.Background(), Wait)
	defer lcancel()
	wl := newWatchCtx(lctx)
	last := make(chan error, 1)
	go func() {
		_, err := s.bus.Publish(wl, topic, []byte("last"), nil)
		last <- err
	}()
	awaitBlocked(t, wl, last)
	release.open()
	if err := Receive(t, last, "the blocked Publish to complete after the handler proceeded"); err != nil {
		t.Fatalf("blocked Publish: %v", err)
	}

	want := append([]string{"first"}, make([]string, size)...)
	for i := range size {
		want[i+1] = payload(i)
	}
	want = append(want, "last")
	for i, w := range want {
		if m := in.next(t, fmt.Sprintf("message %d of %d", i+1, len(want))); string(m.Data) != w {
			t.Fatalf("delivery %d: got %q, want %q (a canceled Publish must not deliver)", i, m.Data, w)
		}
	}
}

// awaitBlocked waits until a Publish running with ctx waits on ctx; it fails
// the test if the Publish returns first (it did not block on the full queue)
// or never waits on its context.
func awaitBlocked(t *testing.T, ctx *watchCtx, result <-chan error) {
	t.Helper()
	timer := time.NewTimer(Wait)
	defer timer.Stop()
	select {
	case err := <-result:
		t.Fatalf("Publish on a full queue returned %v without blocking", err)
	case <-ctx.asked.ch:
	case <-timer.C:
		t.Fatalf("Publish on a full queue neither returned nor waited on its context within %s", Wait)
	}
}
