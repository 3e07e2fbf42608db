package redis

import (
	"context"
	"fmt"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// Subscribe adds handler as a member of group on topic. The first Subscribe
// of a group (on any host sharing the server) creates it at the end of the
// stream, so it receives the messages published after Subscribe returns;
// later ones join it. Handlers are called with a context that ends when
// their subscription or the bus closes.
func (b *Bus) Subscribe(ctx context.Context, topic, group string, handler pubsub.Handler) (pubsub.Subscription, error) {
	switch {
	case topic == "":
		return nil, fault.New(fault.BadRequest, "%s: subscribe: the topic is empty", ID)
	case group == "":
		return nil, fault.New(fault.BadRequest, "%s: subscribe to %q: the group is empty", ID, topic)
	case handler == nil:
		return nil, fault.New(fault.BadRequest, "%s: subscribe to %q: the handler is nil", ID, topic)
	}
	if err := ctx.Err(); err != nil {
		return nil, backend(err, "subscribe to "+topic)
	}
	if err := b.usable("subscribe"); err != nil {
		return nil, err
	}
	key := b.streamKey(topic)
	if err := b.rdb.XGroupCreateMkStream(ctx, key, group, "$").Err(); err != nil && !isBusyGroup(err) {
		return nil, backend(err, fmt.Sprintf("subscribe to %q: create group %q", topic, group))
	}
	last, err := b.groupLastID(ctx, key, group)
	if err != nil {
		return nil, backend(err, fmt.Sprintf("subscribe to %q: group %q", topic, group))
	}
	m, err := b.newMember(topic, group, handler, last)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		m.stop()
		m.cancel()
		return nil, fault.New(fault.Unavailable, "%s: subscribe: the bus is closed", ID)
	}
	b.members[m] = struct{}{}
	b.mu.Unlock()
	go m.run()
	return &subscription{m: m}, nil
}

// groupLastID returns the ID of the last entry delivered to group, where a
// lost group is recreated from ("0" when the group is not found).
func (b *Bus) groupLastID(ctx context.Context, key, group string) (string, error) {
	groups, err := b.rdb.XInfoGroups(ctx, key).Result()
	if err != nil {
		return "", err
	}
	for _, g := range groups {
		if g.Name == group {
			return g.LastDeliveredID, nil
		}
	}
	return "0", nil
}

// removeMember forgets a member that has stopped.
func (b *Bus) removeMember(m *member) {
	b.mu.Lock()
	delete(b.members, m)
	b.mu.Unlock()
}

// memberKey marks a handler's context with its member, so that Close called
// from the member's own handler does not wait for itself.
type memberKey struct{}

// subscription is the pubsub.Subscription of one member.
type subscription struct{ m *member }

// Close stops delivery to the member and waits, until ctx ends, for its
// running handler call and for it to leave the group; then it cancels the
// handler's context. Called from the member's own handler with the
// handler's context, it does not wait. Close is idempotent.
func (s *subscription) Close(ctx context.Context) error {
	m := s.m
	m.stop()
	if own, _ := ctx.Value(memberKey{}).(*member); own == m {
		return nil // the member cancels the handler's context once it returns
	}
	select {
	case <-m.done: // already gone: no need to ask ctx
		m.cancel()
		return nil
	default:
	}
	select {
	case <-m.done:
		m.cancel()
		return nil
	case <-ctx.Done():
		m.cancel()
		return fmt.Errorf("%s: close subscription to %q: handler still running: %w", ID, m.topic, ctx.Err())
	}
}
