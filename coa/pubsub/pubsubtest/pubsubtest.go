// Package pubsubtest is the conformance kit for pubsub.Bus providers.
//
// A provider's test calls Run with a constructor for a fresh bus; every rule
// of the pubsub contract runs as a named subtest:
//
//	func TestConformance(t *testing.T) {
//		pubsubtest.Run(t, func(t *testing.T) pubsub.Bus {
//			b := mybus.New(...)
//			t.Cleanup(func() { _ = b.Close(context.Background()) })
//			return b
//		}, pubsubtest.Bounded(4), pubsubtest.MaxAttempts(3))
//	}
//
// newBus is called once per subtest and must register the bus's cleanup
// itself. Subscriptions the kit opens are closed in t.Cleanup, so
// Subscription.Close must be idempotent. Topic names are unique per Run, so
// providers backed by a persistent broker do not see earlier runs' messages.
//
// Two rules are stricter than the contract's wording: a group created after
// a message was published does not receive it, and one group's handler
// changing msg.Data or msg.Metadata does not affect another group.
//
// The kit waits with channels, never with sleeps; every wait for an expected
// event is bounded (see Wait) and fails the test when the bound is reached.
// To learn that Publish (or Subscription.Close) is blocked, it passes a
// context that reports when the callee first asks for Done: a provider is
// expected to wait on ctx.Done() while it blocks.
//
// Besides Run, a provider's own tests may use Receive (a bounded wait on a
// channel) and BenchPublishDeliver (the throughput benchmark every
// provider runs the same way).
package pubsubtest

import (
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// Wait bounds every wait for an event the contract promises. Reaching it
// fails the test: it is a hang detector, not a pass condition.
const Wait = 10 * time.Second

// Option declares a provider feature the kit checks, or one it lacks.
type Option func(*options)

type options struct {
	queueSize   int // > 0: bounded provider
	maxAttempts int // > 0: declared delivery attempts per message
}

// Bounded declares that a group buffers at most queueSize messages that are
// not being handled (the message a handler is processing does not count) and
// that Publish blocks while a group's buffer is full. It enables the
// backpressure rule.
func Bounded(queueSize int) Option {
	return func(o *options) { o.queueSize = queueSize }
}

// MaxAttempts declares how many times the provider hands one message to a
// group before dropping it. It enables the drop rule; with n == 1 the
// redelivery rule is skipped. Without it the kit assumes at least 2 attempts.
func MaxAttempts(n int) Option {
	return func(o *options) { o.maxAttempts = n }
}

// rule is one named check of the contract.
type rule struct {
	name string
	run  func(t *testing.T, s *suite)
}

// allRules lists the rules in the order they run.
func allRules() []rule {
	return []rule{
		{"SubscriberReceivesInPublishOrder", testPublishOrder},
		{"LaterGroupStartsAtSubscription", testLaterGroup},
		{"EveryGroupReceivesEveryMessage", testFanOut},
		{"GroupMembersCompete", testCompetingConsumers},
		{"TopicsAreIsolated", testTopicIsolation},
		{"FailedMessageIsRetriedBeforeLaterOnes", testRedelivery},
		{"MessageIsDroppedAfterMaxAttempts", testDropAfterMaxAttempts},
		{"CloseStopsDeliveryAndWaitsForHandler", testSubscriptionClose},
		{"EmptyTopicOrGroupIsBadRequest", testBadRequest},
		{"MessageIDsAreUniquePerTopic", testUniqueIDs},
		{"DataAndMetadataAreCopied", testPublisherIsolation},
		{"GroupsGetIndependentCopies", testGroupIsolation},
		{"ConcurrentPublishersLoseNothing", testConcurrentPublishers},
		{"FullQueueBlocksPublish", testBackpressure},
	}
}

// Run runs every rule as a subtest of t against buses made by newBus.
func Run(t *testing.T, newBus func(t *testing.T) pubsub.Bus, opts ...Option) {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	nonce := time.Now().UTC().Format("20060102T150405.000000000")
	for _, r := range allRules() {
		t.Run(r.name, func(t *testing.T) {
			r.run(t, &suite{bus: newBus(t), opts: o, nonce: nonce})
		})
	}
}
