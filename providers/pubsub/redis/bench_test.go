package redis

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// BenchmarkPublishDeliver measures messages per second from one publisher
// through one group with one member, over a local redis-server.
func BenchmarkPublishDeliver(b *testing.B) {
	cfg := Config{Config: redisconn.Config{Addr: testserver.Redis(b), Prefix: freshPrefix()}}
	pubsubtest.BenchPublishDeliver(b, newBus(b, cfg))
}
