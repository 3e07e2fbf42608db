package memory

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// memberKey marks a handler's context with its member, so that Close called
// from the member's own handler does not wait for itself.
type memberKey struct{}

// member is one subscription: a handler in a group.
type member struct {
	g       *group
	handler pubsub.Handler
	ctx     context.Context // the handler's context
	cancel  context.CancelFunc
	left    bool // guarded by g.t.mu
}

func newMember(g *group, handler pubsub.Handler) *member {
	m := &member{g: g, handler: handler}
	m.ctx, m.cancel = context.WithCancel(context.WithValue(g.t.b.life, memberKey{}, m))
	return m
}

// call runs the handler; a panic is logged with its stack and returned as an error.
func (m *member) call(msg pubsub.Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			m.g.t.b.log().Error("pubsub: handler panicked",
				"topic", msg.Topic, "group", m.g.name, "id", msg.ID, "attempt", msg.Attempt,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("pubsub.memory: handler panicked: %v", r)
		}
	}()
	return m.handler(m.ctx, msg)
}

// leave takes m out of its group, removing the group (and the topic) when it
// was the last member. It returns a channel to wait on when m's handler is
// running, else nil.
func (m *member) leave() <-chan struct{} {
	g := m.g
	t := g.t
	b := t.b
	b.mu.Lock()
	defer b.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if !m.left {
		m.left = true
		g.removeMember(m)
		if len(g.members) == 0 {
			g.remove()
			if len(t.groups) == 0 && b.topics[t.name] == t {
				delete(b.topics, t.name)
			}
		}
	}
	if g.current == m {
		return g.idleSignal()
	}
	return nil
}

// subscription is the pubsub.Subscription of one member.
type subscription struct{ m *member }

// Close stops delivery to the member and waits, until ctx ends, for its
// running handler call; then it cancels the handler's context. Called from
// the member's own handler with the handler's context, it does not wait.
// Close is idempotent.
func (s *subscription) Close(ctx context.Context) error {
	m := s.m
	idle := m.leave()
	if idle == nil {
		m.cancel()
		return nil
	}
	if own, _ := ctx.Value(memberKey{}).(*member); own == m {
		return nil // release cancels the handler's context once it returns
	}
	select {
	case <-idle:
		m.cancel()
		return nil
	case <-ctx.Done():
		m.cancel()
		return fmt.Errorf("pubsub.memory: close subscription to %q: handler still running: %w", m.g.t.name, ctx.Err())
	}
}
