package pubsub

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// The counters every provider keeps, under the same names and attributes so
// that dashboards and alerts work whichever provider a host uses:
//
//	cadenza.pubsub.published{topic}               messages accepted by Publish
//	cadenza.pubsub.delivered{topic, group}        messages a group's handler processed
//	cadenza.pubsub.dropped{topic, group, reason}  messages a group gave up on
const (
	MetricPublished = "cadenza.pubsub.published"
	MetricDelivered = "cadenza.pubsub.delivered"
	MetricDropped   = "cadenza.pubsub.dropped"
)

// Reasons a message is dropped: the values of the "reason" attribute of
// cadenza.pubsub.dropped.
const (
	DropMaxAttempts  = "max_attempts" // every delivery attempt failed
	DropUnsubscribed = "unsubscribed" // the group's last member left first
	DropClosed       = "closed"       // the bus closed first
	DropMalformed    = "malformed"    // the provider cannot read the stored message
)

// Metrics are a provider's pubsub counters. Make them with NewMetrics from
// the provider's own meter (its instrumentation scope). A nil *Metrics
// counts nothing, for a provider that was given no meter.
type Metrics struct {
	published metric.Int64Counter
	delivered metric.Int64Counter
	dropped   metric.Int64Counter
}

// NewMetrics creates the counters on meter.
func NewMetrics(meter metric.Meter) (*Metrics, error) {
	var (
		ms  Metrics
		err error
	)
	if ms.published, err = meter.Int64Counter(MetricPublished,
		metric.WithDescription("Messages accepted by Publish."),
		metric.WithUnit("{message}")); err != nil {
		return nil, fmt.Errorf("counter %s: %w", MetricPublished, err)
	}
	if ms.delivered, err = meter.Int64Counter(MetricDelivered,
		metric.WithDescription("Messages a group's handler processed successfully."),
		metric.WithUnit("{message}")); err != nil {
		return nil, fmt.Errorf("counter %s: %w", MetricDelivered, err)
	}
	if ms.dropped, err = meter.Int64Counter(MetricDropped,
		metric.WithDescription("Messages a group gave up on: every attempt failed, the group or bus went away first, "+
			"or the message was malformed (the reason attribute says which)."),
		metric.WithUnit("{message}")); err != nil {
		return nil, fmt.Errorf("counter %s: %w", MetricDropped, err)
	}
	return &ms, nil
}

// TopicAttrs are the attributes of a topic's measurements. A provider builds
// them once per topic it keeps (NewTopicAttrs) rather than per message.
type TopicAttrs struct{ opt metric.MeasurementOption }

// NewTopicAttrs returns the attributes of topic: topic=topic.
func NewTopicAttrs(topic string) TopicAttrs {
	return TopicAttrs{metric.WithAttributeSet(attribute.NewSet(attribute.String("topic", topic)))}
}

// GroupAttrs are the attributes of a group's measurements. A provider builds
// them once per group or member it keeps (NewGroupAttrs) rather than per
// message.
type GroupAttrs struct{ opt metric.MeasurementOption }

// NewGroupAttrs returns the attributes of group on topic: topic=topic,
// group=group.
func NewGroupAttrs(topic, group string) GroupAttrs {
	return GroupAttrs{metric.WithAttributeSet(attribute.NewSet(
		attribute.String("topic", topic), attribute.String("group", group)))}
}

// Published counts one message Publish accepted on the topic of at.
func (m *Metrics) Published(ctx context.Context, at TopicAttrs) {
	if m == nil {
		return
	}
	if at.opt == nil { // zero TopicAttrs: no attributes
		m.published.Add(ctx, 1)
		return
	}
	m.published.Add(ctx, 1, at.opt)
}

// Delivered counts one message the handler of the group of at processed.
func (m *Metrics) Delivered(ctx context.Context, at GroupAttrs) {
	if m == nil {
		return
	}
	if at.opt == nil { // zero GroupAttrs: no attributes
		m.delivered.Add(ctx, 1)
		return
	}
	m.delivered.Add(ctx, 1, at.opt)
}

// Dropped counts n messages group on topic gave up on for reason (one of
// the Drop constants).
func (m *Metrics) Dropped(ctx context.Context, topic, group, reason string, n int64) {
	if m == nil {
		return
	}
	m.dropped.Add(ctx, n, metric.WithAttributeSet(attribute.NewSet(
		attribute.String("topic", topic), attribute.String("group", group), attribute.String("reason", reason))))
}
