// Package redis is pubsub.redis, the pub/sub provider over Redis Streams:
// hosts that share a Redis server (and a key prefix) share topics and
// subscription groups.
//
// A topic T is the stream "<prefix>t:T". Publish is XADD with the fields
// "data" and, when there is metadata, "metadata" (a JSON object), trimming
// the stream to about MaxLen entries; the message ID is the entry ID, and
// Published is the time it encodes. A group is a consumer group of the
// stream, created by its first Subscribe at "$", so it receives the
// messages published after it subscribed; a later Subscribe (on any host)
// joins it. Each member is a consumer with its own connection and
// goroutine: it reads up to Batch new messages (XREADGROUP ... BLOCK), calls
// its handler with them one at a time in stream order, and acknowledges
// (XACK) each message its handler accepted.
//
// A handler error keeps the message pending with the member: after
// RetryDelay it calls the handler again (Attempt is the entry's delivery
// count, kept in Redis), before any later message, up to MaxAttempts times;
// then it acknowledges the message, logs it and counts it as dropped. A
// panicking handler counts as failing.
//
// Delivery is at least once. A message stays pending until a member
// acknowledges it; one left unacknowledged for ClaimIdle (its member
// crashed, lost its connection, or was closed while holding unread parts of
// its batch) is claimed (XAUTOCLAIM) by another member of the group, which
// delivers it with the next attempt number. Members look for such messages
// every ClaimIdle/2 (at most every 5s). Handlers must therefore be
// idempotent, and a handler running longer than ClaimIdle may see its
// message handed to another member too.
//
// Order: a group with one member receives its topic's messages in publish
// order. With several members, each member receives its share in publish
// order, but members run concurrently, so the group as a whole does not
// handle them in one sequence (as with Redis Streams consumer groups
// generally); claimed messages arrive after newer ones.
//
// Redis bounds nothing per group: Publish never blocks on slow subscribers
// (the conformance kit runs without its Bounded option), and MaxLen is the
// only bound, trimming the oldest messages. If the server restarts without
// persistence, members recreate their group where they had read up to and
// go on; messages published while it was down fail to publish
// (fault.Unavailable).
package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"

	goredis "github.com/redis/go-redis/v9"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
)

// ID is the module id.
const ID = "pubsub.redis"

// meterName is the instrumentation scope of the bus's metrics.
const meterName = "github.com/cadenza-edge/cadenza/providers/pubsub/redis"

// Bus is the Redis Streams pubsub.Bus. Create it with New and Init, or
// through the module registry as "pubsub.redis".
type Bus struct {
	cfg     Config
	logger  *slog.Logger    // nil: slog.Default()
	metrics *pubsub.Metrics // nil until Init is given a meter: counts nothing
	rdb     *goredis.Client // commands other than the members' blocking reads
	name    string          // consumer name stem: host, process, bus

	closeRDB sync.Once

	mu      sync.Mutex
	closed  bool
	members map[*member]struct{}
	seq     int // numbers the members' consumer names

	// life is the parent of the handlers' contexts; Close cancels it once
	// delivery has stopped or its grace period is over.
	life    context.Context
	endLife context.CancelFunc
}

var (
	_ pubsub.Bus           = (*Bus)(nil)
	_ module.Configurable  = (*Bus)(nil)
	_ module.Initer        = (*Bus)(nil)
	_ module.Closer        = (*Bus)(nil)
	_ module.HealthChecker = (*Bus)(nil)
)

// New returns a bus for cfg; zero (or invalid) tuning fields take their
// defaults. Init connects it.
func New(cfg Config) *Bus {
	life, end := context.WithCancel(context.Background())
	return &Bus{
		cfg:     cfg.withDefaults(),
		members: make(map[*member]struct{}),
		life:    life,
		endLife: end,
	}
}

// ConfigTarget returns the config the host decodes into, before Init.
func (b *Bus) ConfigTarget() any { return &b.cfg }

// Init takes the logger and the meter from env (which may be nil), then
// connects to the server and checks it answers PING.
func (b *Bus) Init(ctx context.Context, env *module.Env) error {
	b.cfg = b.cfg.withDefaults()
	if env != nil && env.Logger != nil {
		b.logger = env.Logger
	}
	if env != nil && env.Meter != nil {
		ms, err := pubsub.NewMetrics(env.Meter.Meter(meterName))
		if err != nil {
			return fmt.Errorf("%s: %w", ID, err)
		}
		b.metrics = ms
	}
	rdb, err := redisconn.Open(ctx, b.cfg.Config)
	if err != nil {
		return fmt.Errorf("%s: %w", ID, err)
	}
	b.rdb, b.name = rdb, consumerStem()
	b.log().Info("pubsub connected", "provider", ID, "addr", b.cfg.Addr, "db", b.cfg.DB, "prefix", b.cfg.Prefix, "tls", b.cfg.TLS != nil)
	return nil
}

// consumerStem names this bus's consumers: host name, process id and a
// random part, so that members of different hosts and processes differ.
func consumerStem() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	var r [4]byte
	_, _ = rand.Read(r[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(r[:]))
}

// Health pings the server; a closed bus is Unavailable.
func (b *Bus) Health(ctx context.Context) error {
	if err := b.usable("health"); err != nil {
		return err
	}
	if err := b.rdb.Ping(ctx).Err(); err != nil {
		return backend(err, "health")
	}
	return nil
}

// Close stops every member and waits, until ctx ends, for the running
// handlers to return and the members to leave their groups; then it
// cancels the handlers' contexts and closes the connections. Messages a
// member read but did not finish are released to its group: another
// member (on another host) claims them at its next claim scan. Later
// Publish and Subscribe calls fail with fault.Unavailable. Close may be
// called again, e.g. to wait longer after ctx ended.
func (b *Bus) Close(ctx context.Context) error {
	b.mu.Lock()
	b.closed = true
	members := make([]*member, 0, len(b.members))
	for m := range b.members {
		members = append(members, m)
	}
	b.mu.Unlock()
	for _, m := range members {
		m.stop()
	}
	defer b.endLife()
	for _, m := range members {
		select {
		case <-m.done:
			continue
		default:
		}
		select {
		case <-m.done:
		case <-ctx.Done():
			return fmt.Errorf("%s: close: handlers still running: %w", ID, ctx.Err())
		}
	}
	b.closeRDB.Do(func() {
		if b.rdb != nil {
			_ = b.rdb.Close()
		}
	})
	return nil
}

// usable fails when the bus is closed or was never connected.
func (b *Bus) usable(op string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.closed:
		return fault.New(fault.Unavailable, "%s: %s: the bus is closed", ID, op)
	case b.rdb == nil:
		return fault.New(fault.Unavailable, "%s: %s: the bus is not connected: Init it first", ID, op)
	}
	return nil
}

func (b *Bus) log() *slog.Logger {
	if b.logger != nil {
		return b.logger
	}
	return slog.Default()
}

// streamKey is topic's stream.
func (b *Bus) streamKey(topic string) string { return b.cfg.Prefix + "t:" + topic }
