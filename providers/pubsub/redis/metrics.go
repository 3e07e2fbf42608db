package redis

import (
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const meterName = "github.com/cadenza-edge/cadenza/providers/pubsub/redis"

// Reasons a message is dropped (the "reason" attribute of
// cadenza.pubsub.dropped).
const (
	reasonAttempts  = "max_attempts" // every attempt failed
	reasonMalformed = "malformed"    // the stream entry is not a message of this bus
)

// metrics are the bus's counters, named as pubsub.memory's. Published
// counts per topic; delivered and dropped per topic and group.
type metrics struct {
	published metric.Int64Counter
	delivered metric.Int64Counter
	dropped   metric.Int64Counter
}

func newMetrics(mp metric.MeterProvider) (metrics, error) {
	m := mp.Meter(meterName)
	var (
		ms  metrics
		err error
	)
	if ms.published, err = m.Int64Counter("cadenza.pubsub.published",
		metric.WithDescription("Messages accepted by Publish."),
		metric.WithUnit("{message}")); err != nil {
		return ms, fmt.Errorf("counter cadenza.pubsub.published: %w", err)
	}
	if ms.delivered, err = m.Int64Counter("cadenza.pubsub.delivered",
		metric.WithDescription("Messages a group's handler processed successfully."),
		metric.WithUnit("{message}")); err != nil {
		return ms, fmt.Errorf("counter cadenza.pubsub.delivered: %w", err)
	}
	if ms.dropped, err = m.Int64Counter("cadenza.pubsub.dropped",
		metric.WithDescription("Messages a group gave up on: every attempt failed, or the entry was malformed."),
		metric.WithUnit("{message}")); err != nil {
		return ms, fmt.Errorf("counter cadenza.pubsub.dropped: %w", err)
	}
	return ms, nil
}

func topicAttrs(topic string) metric.MeasurementOption {
	return metric.WithAttributeSet(attribute.NewSet(attribute.String("topic", topic)))
}

func groupAttrs(topic, group string) metric.MeasurementOption {
	return metric.WithAttributeSet(attribute.NewSet(attribute.String("topic", topic), attribute.String("group", group)))
}

func dropAttrs(topic, group, reason string) metric.MeasurementOption {
	return metric.WithAttributeSet(attribute.NewSet(
		attribute.String("topic", topic), attribute.String("group", group), attribute.String("reason", reason)))
}
