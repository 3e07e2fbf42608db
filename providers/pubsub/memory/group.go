package memory

import (
	"context"
	"slices"
	"time"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// group is one subscription group of a topic: its queue, its members and
// the goroutine that delivers to them.
type group struct {
	t     *topic
	name  string
	attrs pubsub.GroupAttrs

	// Guarded by t.mu.
	queue   queue
	members []*member
	next    int           // round-robin position in members
	current *member       // member whose handler is running, or nil
	idle    chan struct{} // made on demand; closed when current's call returns
	space   chan struct{} // made on demand; closed when the queue shrinks

	ready chan struct{} // capacity 1: the queue may hold messages
	quit  chan struct{} // closed when the group's last member leaves
}

func newGroup(t *topic, name string) *group {
	return &group{
		t:     t,
		name:  name,
		attrs: pubsub.NewGroupAttrs(t.name, name),
		queue: queue{limit: t.b.cfg.QueueSize},
		ready: make(chan struct{}, 1),
		quit:  make(chan struct{}),
	}
}

// enqueue appends msg and wakes the delivery goroutine. t.mu is held.
func (g *group) enqueue(msg pubsub.Message) {
	g.queue.push(msg)
	select {
	case g.ready <- struct{}{}:
	default:
	}
}

// spaceSignal returns a channel closed when the queue shrinks. t.mu is held.
func (g *group) spaceSignal() <-chan struct{} {
	if g.space == nil {
		g.space = make(chan struct{})
	}
	return g.space
}

func (g *group) wakeSpace() {
	if g.space != nil {
		close(g.space)
		g.space = nil
	}
}

// idleSignal returns a channel closed when the running handler call returns.
// t.mu is held.
func (g *group) idleSignal() <-chan struct{} {
	if g.idle == nil {
		g.idle = make(chan struct{})
	}
	return g.idle
}

// removeMember takes m out of the rotation. t.mu is held.
func (g *group) removeMember(m *member) {
	i := slices.Index(g.members, m)
	if i < 0 {
		return
	}
	g.members = slices.Delete(g.members, i, i+1)
	if i < g.next {
		g.next--
	}
}

// remove detaches the empty group from its topic and stops its delivery.
// b.mu and t.mu are held.
func (g *group) remove() {
	delete(g.t.groups, g.name)
	close(g.quit)
	g.wakeSpace() // blocked publishers no longer wait for this group
}

// stopped reports whether the group was removed or the bus is closing.
func (g *group) stopped() bool {
	select {
	case <-g.quit:
		return true
	case <-g.t.b.stopping:
		return true
	default:
		return false
	}
}

// stopReason names why a stopped group drops messages: its removal, when
// that came first, else the bus closing.
func (g *group) stopReason() string {
	select {
	case <-g.quit:
		return pubsub.DropUnsubscribed
	default:
		return pubsub.DropClosed
	}
}

// drop counts and logs n messages the group gives up on for reason.
func (g *group) drop(n int, reason string) {
	if n == 0 {
		return
	}
	g.t.b.metrics.Dropped(context.Background(), g.t.name, g.name, reason, int64(n))
	g.t.b.log().Warn("pubsub: undelivered messages dropped",
		"topic", g.t.name, "group", g.name, "count", n, "reason", reason)
}

// pause waits d before a redelivery; it reports false when the group stops first.
func (g *group) pause(d time.Duration) bool {
	if d <= 0 {
		return !g.stopped()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-g.quit:
		return false
	case <-g.t.b.stopping:
		return false
	}
}
