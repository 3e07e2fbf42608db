package pubsubtest

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// BenchPublishDeliver measures messages per second from one publisher
// through one group with one member of bus, reported as "msg/s"; b.N
// messages are published to the topic "bench" and the benchmark ends when
// the handler has seen them all. A provider's benchmark calls it with a
// fresh bus:
//
//	func BenchmarkPublishDeliver(b *testing.B) {
//		pubsubtest.BenchPublishDeliver(b, newBus(b))
//	}
func BenchPublishDeliver(b *testing.B, bus pubsub.Bus) {
	ctx := context.Background()
	done := make(chan struct{})
	var count atomic.Int64
	total := int64(b.N)
	sub, err := bus.Subscribe(ctx, "bench", "g", func(context.Context, pubsub.Message) error {
		if count.Add(1) == total {
			close(done)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sub.Close(context.Background()) })
	data := []byte(`{"deployment":"d-1","state":"running"}`)
	meta := map[string]string{"content-type": "application/json"}

	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := bus.Publish(ctx, "bench", data, meta); err != nil {
			b.Fatal(err)
		}
	}
	<-done
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}
