package pubsubtest

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// testUniqueIDs: Publish returns a non-empty ID unique within the topic, and
// the delivered message carries it.
func testUniqueIDs(t *testing.T, s *suite) {
	const n = 100
	topic := s.topic(t, "ids")
	in := newInbox(n)
	s.subscribe(t, topic, "g", in.handle)
	seen := make(map[string]int, n)
	ids := make([]string, n)
	for i := range n {
		id := s.publish(t, topic, payload(i), nil)
		if id == "" {
			t.Fatalf("Publish %d returned an empty ID", i)
		}
		if j, dup := seen[id]; dup {
			t.Fatalf("Publish %d returned ID %q, already returned by Publish %d", i, id, j)
		}
		seen[id], ids[i] = i, id
	}
	for i := range n {
		if m := in.next(t, fmt.Sprintf("message %d", i)); m.ID != ids[i] {
			t.Fatalf("delivery %d has ID %q, Publish returned %q", i, m.ID, ids[i])
		}
	}
}

// testPublisherIsolation: Data and Metadata arrive intact, unaffected by the
// publisher changing its slice and map after Publish returned.
func testPublisherIsolation(t *testing.T, s *suite) {
	topic := s.topic(t, "copies")
	in := newInbox(4)
	hold := newGate()
	defer hold.open()
	held := newGate()
	s.subscribe(t, topic, "g", func(ctx context.Context, msg pubsub.Message) error {
		if string(msg.Data) == "hold" {
			held.open()
			if err := hold.wait(ctx); err != nil {
				return err
			}
		}
		return in.handle(ctx, msg)
	})
	// Hold the group so the mutation below happens before delivery.
	s.publish(t, topic, "hold", nil)
	held.await(t, "the holding message")

	data := []byte{0x00, 'a', 0xff, '\n', 0x7f}
	wantData := bytes.Clone(data)
	md := map[string]string{"content-type": "application/octet-stream", "empty": "", "ünï": "cödé"}
	wantMD := maps.Clone(md)
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	if _, err := s.bus.Publish(ctx, topic, data, md); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	data[0], data[4] = 'X', 'Y'
	md["content-type"] = "changed"
	md["added"] = "later"
	hold.open()
	if _, err := s.bus.Publish(ctx, topic, nil, nil); err != nil {
		t.Fatalf("Publish with nil data and metadata: %v", err)
	}

	in.next(t, "the holding message")
	m := in.next(t, "the binary message")
	if !bytes.Equal(m.Data, wantData) {
		t.Errorf("Data %q, want %q", m.Data, wantData)
	}
	if !maps.Equal(m.Metadata, wantMD) {
		t.Errorf("Metadata %v, want %v", m.Metadata, wantMD)
	}
	m = in.next(t, "the empty message")
	if len(m.Data) != 0 || len(m.Metadata) != 0 {
		t.Errorf("nil data and metadata arrived as %q and %v", m.Data, m.Metadata)
	}
}

// testGroupIsolation: one group's handler changing its message does not
// change what another group receives.
func testGroupIsolation(t *testing.T, s *suite) {
	topic := s.topic(t, "shared")
	mutated := newGate()
	defer mutated.open()
	s.subscribe(t, topic, "writer", func(ctx context.Context, msg pubsub.Message) error {
		if len(msg.Data) > 0 {
			msg.Data[0] = 'X'
		}
		if msg.Metadata != nil {
			msg.Metadata["k"] = "writer"
		}
		mutated.open()
		return nil
	})
	in := newInbox(1)
	s.subscribe(t, topic, "reader", func(ctx context.Context, msg pubsub.Message) error {
		if err := mutated.wait(ctx); err != nil {
			return err
		}
		return in.handle(ctx, msg)
	})
	s.publish(t, topic, "abc", map[string]string{"k": "v"})
	m := in.next(t, "the reader's message")
	if string(m.Data) != "abc" || m.Metadata["k"] != "v" {
		t.Fatalf("reader got %q %v, want \"abc\" map[k:v]: groups share the message's slice or map", m.Data, m.Metadata)
	}
}
