package memory

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// run is the group's delivery goroutine: it hands each queued message to
// one member at a time until the group is removed or the bus closes.
func (g *group) run() {
	defer g.discardQueue()
	for {
		msg, ok := g.take()
		if !ok {
			return
		}
		g.deliver(msg)
	}
}

// take waits for the next queued message; false means the group stopped.
func (g *group) take() (pubsub.Message, bool) {
	t := g.t
	for {
		t.mu.Lock()
		if g.stopped() {
			t.mu.Unlock()
			return pubsub.Message{}, false
		}
		if msg, ok := g.queue.pop(); ok {
			g.wakeSpace()
			t.mu.Unlock()
			return msg, true
		}
		t.mu.Unlock()
		select {
		case <-g.ready:
		case <-g.quit:
		case <-t.b.stopping:
		}
	}
}

// deliver calls handlers with msg until one succeeds or MaxAttempts calls
// failed. Redeliveries go to the next member in turn.
func (g *group) deliver(msg pubsub.Message) {
	b := g.t.b
	for attempt := 1; ; attempt++ {
		msg.Attempt = attempt
		m := g.acquire()
		if m == nil {
			g.drop(1, g.stopReason())
			return
		}
		err := g.attempt(m, msg)
		if err == nil {
			b.metrics.Delivered(context.Background(), g.attrs)
			return
		}
		if attempt >= b.cfg.MaxAttempts {
			b.metrics.Dropped(context.Background(), g.t.name, g.name, pubsub.DropMaxAttempts, 1)
			b.log().Warn("pubsub: message dropped: every delivery attempt failed",
				"topic", g.t.name, "group", g.name, "id", msg.ID, "attempts", attempt, "error", err)
			return
		}
		b.log().Debug("pubsub: handler failed; redelivering",
			"topic", g.t.name, "group", g.name, "id", msg.ID, "attempt", attempt, "error", err)
		if !g.pause(b.cfg.RetryDelay.D()) {
			g.drop(1, g.stopReason())
			return
		}
	}
}

// acquire picks the next member in turn and marks its call as running; nil
// means the group stopped.
func (g *group) acquire() *member {
	g.t.mu.Lock()
	defer g.t.mu.Unlock()
	if g.stopped() || len(g.members) == 0 {
		return nil
	}
	if g.next >= len(g.members) {
		g.next = 0
	}
	m := g.members[g.next]
	g.next++
	g.current = m
	return m
}

// attempt runs one handler call and then releases the member.
func (g *group) attempt(m *member, msg pubsub.Message) error {
	defer g.release(m)
	return m.call(msg)
}

// release marks m's call as returned and wakes a Close waiting for it.
func (g *group) release(m *member) {
	g.t.mu.Lock()
	g.current = nil
	if g.idle != nil {
		close(g.idle)
		g.idle = nil
	}
	left := m.left
	g.t.mu.Unlock()
	if left {
		m.cancel()
	}
}

// discardQueue drops what is left in the queue when the group stops.
func (g *group) discardQueue() {
	g.t.mu.Lock()
	n := g.queue.reset()
	g.wakeSpace()
	g.t.mu.Unlock()
	g.drop(n, g.stopReason())
}
