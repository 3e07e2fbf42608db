package pubsubtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// testPublishOrder: a subscriber receives the messages published after it
// subscribed, in publish order, each on its first attempt.
func testPublishOrder(t *testing.T, s *suite) {
	const n = 200
	topic := s.topic(t, "orders")
	in := newInbox(n)
	s.subscribe(t, topic, "g", in.handle)

	before := time.Now()
	ids := make([]string, n)
	for i := range n {
		ids[i] = s.publish(t, topic, payload(i), nil)
	}
	for i := range n {
		m := in.next(t, fmt.Sprintf("message %d of %d", i+1, n))
		if got, want := string(m.Data), payload(i); got != want {
			t.Fatalf("delivery %d: got %q, want %q: publish order not kept", i, got, want)
		}
		if m.ID != ids[i] {
			t.Errorf("delivery %d: ID %q, Publish returned %q", i, m.ID, ids[i])
		}
		if m.Topic != topic {
			t.Errorf("delivery %d: Topic %q, want %q", i, m.Topic, topic)
		}
		if m.Attempt != 1 {
			t.Errorf("delivery %d: Attempt %d, want 1", i, m.Attempt)
		}
		if m.Published.IsZero() {
			t.Errorf("delivery %d: Published is zero", i)
		} else if m.Published.Before(before.Add(-time.Hour)) {
			t.Errorf("delivery %d: Published %v is long before the publish at %v", i, m.Published, before)
		}
	}
}

// testLaterGroup: a group that subscribes later receives the messages
// published after it subscribed, not the earlier ones.
func testLaterGroup(t *testing.T, s *suite) {
	topic := s.topic(t, "events")
	early := newInbox(4)
	s.subscribe(t, topic, "early", early.handle)
	s.publish(t, topic, "before", nil)
	if m := early.next(t, `"before" in the early group`); string(m.Data) != "before" {
		t.Fatalf("early group got %q, want \"before\"", m.Data)
	}

	late := newInbox(4)
	s.subscribe(t, topic, "late", late.handle)
	s.publish(t, topic, "after", nil)
	if m := late.next(t, `"after" in the late group`); string(m.Data) != "after" {
		t.Fatalf("late group got %q first, want \"after\": it received a message published before it subscribed", m.Data)
	}
	if m := early.next(t, `"after" in the early group`); string(m.Data) != "after" {
		t.Fatalf("early group got %q, want \"after\"", m.Data)
	}
}

// testFanOut: every distinct group receives every message, in order.
func testFanOut(t *testing.T, s *suite) {
	const n, groups = 100, 3
	topic := s.topic(t, "broadcast")
	inboxes := make([]*inbox, groups)
	for g := range groups {
		inboxes[g] = newInbox(n)
		s.subscribe(t, topic, fmt.Sprintf("group-%d", g), inboxes[g].handle)
	}
	for i := range n {
		s.publish(t, topic, payload(i), nil)
	}
	for g, in := range inboxes {
		for i := range n {
			m := in.next(t, fmt.Sprintf("message %d in group-%d", i, g))
			if got, want := string(m.Data), payload(i); got != want {
				t.Fatalf("group-%d delivery %d: got %q, want %q", g, i, got, want)
			}
		}
	}
}

// delivery is a message as one member of a group saw it.
type delivery struct {
	member int
	msg    pubsub.Message
}

// testCompetingConsumers: inside one group every message is handled by
// exactly one member, and each member sees its share in publish order.
func testCompetingConsumers(t *testing.T, s *suite) {
	const n, members = 300, 3
	topic := s.topic(t, "work")
	ch := make(chan delivery, n+members+1)
	for k := range members {
		s.subscribe(t, topic, "workers", func(ctx context.Context, msg pubsub.Message) error {
			select {
			case ch <- delivery{member: k, msg: msg}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}
	// Publish while reading, so a duplicate is reported as soon as it shows.
	// The end marker follows every message in the group's order: once it is
	// handled, all n have been dispatched.
	published := s.publishAll(t, topic, append(payloads(n), "end"))

	seen := make(map[string]int, n) // payload -> member
	last := make([]string, members)
	perMember := make([]int, members)
	for ended := false; !ended || len(seen) < n; {
		d := Receive(t, ch, fmt.Sprintf("deliveries (%d of %d distinct so far)", len(seen), n))
		data := string(d.msg.Data)
		if data == "end" {
			ended = true
			continue
		}
		if prev, dup := seen[data]; dup {
			t.Fatalf("%s handled twice: by member %d and member %d", data, prev, d.member)
		}
		if data <= last[d.member] {
			t.Fatalf("member %d got %s after %s: group order not kept", d.member, data, last[d.member])
		}
		seen[data], last[d.member] = d.member, data
		perMember[d.member]++
	}
	Receive(t, published, "the publisher to finish")
	t.Logf("messages per member: %v", perMember)
}

// testTopicIsolation: a subscriber of one topic never receives another
// topic's messages, even in a group of the same name.
func testTopicIsolation(t *testing.T, s *suite) {
	const n = 20
	topics := []string{s.topic(t, "a"), s.topic(t, "b")}
	inboxes := []*inbox{newInbox(n + 1), newInbox(n + 1)}
	for k, topic := range topics {
		s.subscribe(t, topic, "same-group", inboxes[k].handle)
	}
	for i := range n {
		for k, topic := range topics {
			s.publish(t, topic, fmt.Sprintf("%d-%s", k, payload(i)), nil)
		}
	}
	for _, topic := range topics {
		s.publish(t, topic, "end", nil)
	}
	for k, in := range inboxes {
		for i := 0; ; i++ {
			m := in.next(t, fmt.Sprintf("topic %d message %d", k, i))
			if string(m.Data) == "end" {
				if i != n {
					t.Fatalf("topic %d: %d messages before the end marker, want %d", k, i, n)
				}
				break
			}
			if want := fmt.Sprintf("%d-%s", k, payload(i)); string(m.Data) != want || m.Topic != topics[k] {
				t.Fatalf("topic %d delivery %d: got %q on %q, want %q on %q", k, i, m.Data, m.Topic, want, topics[k])
			}
		}
	}
}
