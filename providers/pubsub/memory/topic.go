package memory

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// topic is the set of groups subscribed to one topic name. Its mutex guards
// every group's queue, members and signals.
type topic struct {
	b     *Bus
	name  string
	attrs pubsub.TopicAttrs

	mu     sync.Mutex
	groups map[string]*group
}

// Publish sends data to topic's groups. It waits while a group's queue is
// full, until ctx ends; a canceled Publish delivers to no group.
func (b *Bus) Publish(ctx context.Context, topicName string, data []byte, metadata map[string]string) (string, error) {
	if topicName == "" {
		return "", fault.New(fault.BadRequest, "pubsub.memory: publish: the topic is empty")
	}
	b.mu.RLock()
	closed, t := b.closed, b.topics[topicName]
	b.mu.RUnlock()
	if closed {
		return "", errClosed("publish")
	}
	if t == nil { // no subscribers: nothing to deliver
		b.metrics.Published(ctx, pubsub.NewTopicAttrs(topicName))
		return b.nextID(), nil
	}
	return t.publish(ctx, data, metadata)
}

func (t *topic) publish(ctx context.Context, data []byte, metadata map[string]string) (string, error) {
	t.mu.Lock()
	for {
		if t.b.isStopping() {
			t.mu.Unlock()
			return "", errClosed("publish")
		}
		g := t.fullGroup()
		if g == nil {
			break
		}
		space := g.spaceSignal()
		t.mu.Unlock()
		select {
		case <-space:
		case <-t.b.stopping:
			return "", errClosed("publish")
		case <-ctx.Done():
			return "", fmt.Errorf("pubsub.memory: publish to %q: queue of group %q is full: %w", t.name, g.name, ctx.Err())
		}
		t.mu.Lock()
	}
	id := t.b.nextID()
	now := time.Now()
	for _, g := range t.groups {
		g.enqueue(pubsub.Message{
			Topic:     t.name,
			ID:        id,
			Data:      bytes.Clone(data),
			Metadata:  maps.Clone(metadata),
			Published: now,
		})
	}
	t.mu.Unlock()
	t.b.metrics.Published(ctx, t.attrs)
	return id, nil
}

// fullGroup returns a group whose queue is full, or nil. t.mu is held.
func (t *topic) fullGroup() *group {
	for _, g := range t.groups {
		if g.queue.full() {
			return g
		}
	}
	return nil
}
