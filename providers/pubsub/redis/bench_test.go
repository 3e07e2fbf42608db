package redis

import (
	"context"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// BenchmarkPublishDeliver measures messages per second from one publisher
// through one group with one member, over a local redis-server.
func BenchmarkPublishDeliver(b *testing.B) {
	bus := newBus(b, Config{Addr: testserver.Redis(b), Prefix: freshPrefix()})
	ctx := context.Background()
	done := make(chan struct{})
	var count int // only the member's goroutine touches it
	total := b.N
	sub, err := bus.Subscribe(ctx, "bench", "g", func(context.Context, pubsub.Message) error {
		count++
		if count == total {
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
