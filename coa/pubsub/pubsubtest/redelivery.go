package pubsubtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// errFailed is what failing handlers return.
var errFailed = errors.New("pubsubtest: handler failed on purpose")

// recorder is a handler that records every call and fails the calls fail
// selects.
type recorder struct {
	ch   chan record
	fail func(msg pubsub.Message) bool
}

func newRecorder(size int, fail func(msg pubsub.Message) bool) *recorder {
	return &recorder{ch: make(chan record, size), fail: fail}
}

func (r *recorder) handle(ctx context.Context, msg pubsub.Message) error {
	select {
	case r.ch <- record{data: string(msg.Data), id: msg.ID, attempt: msg.Attempt}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if r.fail(msg) {
		return errFailed
	}
	return nil
}

// expect reads len(want) calls and compares them with want.
func (r *recorder) expect(t *testing.T, want ...record) []record {
	t.Helper()
	got := make([]record, 0, len(want))
	for i := range want {
		got = append(got, Receive(t, r.ch, fmt.Sprintf("handler call %d (%v so far, want %v)", i+1, got, want)))
	}
	if !slices.EqualFunc(got, want, func(a, b record) bool { return a.data == b.data && a.attempt == b.attempt }) {
		t.Fatalf("handler calls %v, want %v", got, want)
	}
	return got
}

// testRedelivery: a handler error redelivers the message with Attempt
// incremented, before any later message of the topic.
func testRedelivery(t *testing.T, s *suite) {
	if s.opts.maxAttempts == 1 {
		t.Skip("the provider declares MaxAttempts(1): no redelivery")
	}
	topic := s.topic(t, "retry")
	r := newRecorder(8, func(msg pubsub.Message) bool {
		return string(msg.Data) == "first" && msg.Attempt == 1
	})
	s.subscribe(t, topic, "g", r.handle)
	id := s.publish(t, topic, "first", map[string]string{"k": "v"})
	s.publish(t, topic, "second", nil)

	got := r.expect(t, record{data: "first", attempt: 1}, record{data: "first", attempt: 2}, record{data: "second", attempt: 1})
	for _, c := range got[:2] {
		if c.id != id {
			t.Errorf("redelivery of %q has ID %q, Publish returned %q", c.data, c.id, id)
		}
	}
}

// testDropAfterMaxAttempts: a message that fails every attempt is handed
// over exactly MaxAttempts times, then the next message is delivered.
func testDropAfterMaxAttempts(t *testing.T, s *suite) {
	n := s.opts.maxAttempts
	if n <= 0 {
		t.Skip("the provider does not declare MaxAttempts")
	}
	topic := s.topic(t, "poison")
	r := newRecorder(n+4, func(msg pubsub.Message) bool { return string(msg.Data) == "poison" })
	s.subscribe(t, topic, "g", r.handle)
	s.publish(t, topic, "poison", nil)
	s.publish(t, topic, "next", nil)

	want := make([]record, 0, n+1)
	for a := 1; a <= n; a++ {
		want = append(want, record{data: "poison", attempt: a})
	}
	want = append(want, record{data: "next", attempt: 1})
	r.expect(t, want...)

	// Nothing of "poison" comes back after the message that followed it.
	s.publish(t, topic, "last", nil)
	r.expect(t, record{data: "last", attempt: 1})
}
