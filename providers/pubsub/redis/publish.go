package redis

import (
	"context"

	goredis "github.com/redis/go-redis/v9"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// Publish appends a message to topic's stream (XADD, trimming the stream to
// about MaxLen entries) and returns its entry ID. It never blocks on
// subscribers.
func (b *Bus) Publish(ctx context.Context, topic string, data []byte, metadata map[string]string) (string, error) {
	if topic == "" {
		return "", fault.New(fault.BadRequest, "%s: publish: the topic is empty", ID)
	}
	if err := ctx.Err(); err != nil {
		return "", backend(err, "publish to "+topic)
	}
	if err := b.usable("publish"); err != nil {
		return "", err
	}
	values, err := entryValues(data, metadata)
	if err != nil {
		return "", fault.Wrap(err, fault.BadRequest, "%s: publish to %q: metadata", ID, topic)
	}
	id, err := b.rdb.XAdd(ctx, &goredis.XAddArgs{
		Stream: b.streamKey(topic),
		MaxLen: b.cfg.MaxLen,
		Approx: true,
		Values: values,
	}).Result()
	if err != nil {
		return "", backend(err, "publish to "+topic)
	}
	b.metrics.Published(ctx, pubsub.NewTopicAttrs(topic))
	return id, nil
}
