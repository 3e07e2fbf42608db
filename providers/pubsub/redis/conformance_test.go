package redis

import (
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// The kit runs without pubsubtest.Bounded: Redis does not bound a group's
// backlog, so Publish never blocks (see the package doc).

func TestConformance(t *testing.T) {
	addr := testserver.Redis(t)
	cfg := Config{Config: redisconn.Config{Addr: addr, Prefix: freshPrefix()}}
	pubsubtest.Run(t, func(t *testing.T) pubsub.Bus { return newBus(t, cfg) },
		pubsubtest.MaxAttempts(DefaultMaxAttempts))
}

func TestConformanceSingleAttemptBatchOfOne(t *testing.T) {
	addr := testserver.Redis(t)
	cfg := Config{Config: redisconn.Config{Addr: addr, Prefix: freshPrefix()}, MaxAttempts: 1, Batch: 1}
	pubsubtest.Run(t, func(t *testing.T) pubsub.Bus { return newBus(t, cfg) },
		pubsubtest.MaxAttempts(1))
}

// TestConformanceShortClaimIdle runs the kit with a claim scan every 100ms
// and heartbeats every 67ms: held messages must not be claimed by another
// member, so no rule may see a duplicate or a reordering.
func TestConformanceShortClaimIdle(t *testing.T) {
	addr := testserver.Redis(t)
	cfg := Config{Config: redisconn.Config{Addr: addr, Prefix: freshPrefix()}, MaxAttempts: 4,
		ClaimIdle: config.Duration(200 * time.Millisecond), Block: config.Duration(20 * time.Millisecond)}
	pubsubtest.Run(t, func(t *testing.T) pubsub.Bus { return newBus(t, cfg) },
		pubsubtest.MaxAttempts(4))
}
