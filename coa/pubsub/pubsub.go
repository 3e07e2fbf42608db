// Package pubsub is the contract of publish/subscribe providers between
// managers (pubsub.memory, pubsub.redis).
//
// Delivery: every subscription group receives every message published to the
// topic after the group subscribed; inside one group each message goes to one
// member. Messages of one topic reach a group in publish order. A handler
// error means "not processed": the provider redelivers up to its configured
// attempts, then drops the message, logs it and counts it.
package pubsub

import (
	"context"
	"time"
)

// Message is one published message.
type Message struct {
	Topic     string
	ID        string // provider-assigned, unique per topic
	Data      []byte
	Metadata  map[string]string
	Published time.Time
	Attempt   int // 1 on first delivery
}

// Handler processes a message. It must be safe to call again for the same message.
type Handler func(ctx context.Context, msg Message) error

// Subscription is an active subscription.
type Subscription interface {
	// Close stops delivery to this member; it waits for a running handler call.
	// Close is idempotent.
	Close(ctx context.Context) error
}

// Bus is the pub/sub provider contract. Errors carry fault codes:
// BadRequest (empty topic/group), Unavailable (closed or backend down),
// and the context's error when ctx ends while a bounded queue is full.
type Bus interface {
	// Publish sends data to topic. On a bounded provider it blocks while a
	// group's queue is full, until ctx ends.
	Publish(ctx context.Context, topic string, data []byte, metadata map[string]string) (string, error)
	// Subscribe adds handler as a member of group on topic.
	Subscribe(ctx context.Context, topic, group string, handler Handler) (Subscription, error)
}
