package memory

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// Subscribe adds handler as a member of group on topic. The group's
// delivery starts with the messages published after Subscribe returns (or
// with the group's queue, when the group already exists). Handlers are called
// with a context that ends when their subscription or the bus closes.
func (b *Bus) Subscribe(ctx context.Context, topicName, groupName string, handler pubsub.Handler) (pubsub.Subscription, error) {
	switch {
	case topicName == "":
		return nil, fault.New(fault.BadRequest, "pubsub.memory: subscribe: the topic is empty")
	case groupName == "":
		return nil, fault.New(fault.BadRequest, "pubsub.memory: subscribe to %q: the group is empty", topicName)
	case handler == nil:
		return nil, fault.New(fault.BadRequest, "pubsub.memory: subscribe to %q: the handler is nil", topicName)
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errClosed("subscribe")
	}
	t := b.topics[topicName]
	if t == nil {
		t = &topic{b: b, name: topicName, attrs: pubsub.NewTopicAttrs(topicName), groups: make(map[string]*group)}
		b.topics[topicName] = t
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	g := t.groups[groupName]
	if g == nil {
		g = newGroup(t, groupName)
		t.groups[groupName] = g
		b.wg.Go(g.run)
	}
	m := newMember(g, handler)
	g.members = append(g.members, m)
	return &subscription{m: m}, nil
}
