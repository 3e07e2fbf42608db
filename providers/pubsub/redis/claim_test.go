package redis

import (
	"context"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// claimConfig claims messages idle for 200ms.
func claimConfig(addr string) Config {
	return Config{Config: redisconn.Config{Addr: addr, Prefix: freshPrefix()}, ClaimIdle: config.Duration(200 * time.Millisecond)}
}

// collect subscribes a handler that forwards every message to the
// returned channel.
func collect(t *testing.T, b *observed, topic, group string) (<-chan pubsub.Message, pubsub.Subscription) {
	t.Helper()
	ch := make(chan pubsub.Message, 16)
	sub, err := b.Subscribe(t.Context(), topic, group, func(ctx context.Context, m pubsub.Message) error {
		select {
		case ch <- m:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ch, sub
}

// pendingCount is how many messages of the group await acknowledgement.
func pendingCount(t *testing.T, c *goredis.Client, key, group string) int64 {
	t.Helper()
	p, err := c.XPending(t.Context(), key, group).Result()
	if err != nil {
		t.Fatal(err)
	}
	return p.Count
}

// TestCrashedConsumersMessageIsClaimed: a consumer that read a message and
// died (a process that crashed: here a raw client that never acknowledges)
// leaves it pending; a member of the group on another host claims it after
// claimIdle and handles it as the second attempt.
func TestCrashedConsumersMessageIsClaimed(t *testing.T) {
	addr := testserver.Redis(t)
	cfg := claimConfig(addr)
	publisher := newBus(t, cfg)
	ctx := t.Context()
	raw := rawClient(t, addr)
	key := publisher.streamKey("jobs")
	if err := raw.XGroupCreateMkStream(ctx, key, "workers", "$").Err(); err != nil {
		t.Fatal(err)
	}
	id, err := publisher.Publish(ctx, "jobs", []byte("job-1"), map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	read, err := raw.XReadGroup(ctx, &goredis.XReadGroupArgs{
		Group: "workers", Consumer: "crashed", Streams: []string{key, ">"}, Count: 1, Block: -1,
	}).Result()
	if err != nil || len(read) != 1 || len(read[0].Messages) != 1 || read[0].Messages[0].ID != id {
		t.Fatalf("the crashing consumer read %+v, %v", read, err)
	}

	survivor := newBus(t, cfg)
	got, sub := collect(t, survivor, "jobs", "workers")
	m := pubsubtest.Receive(t, got, "the crashed consumer's message, claimed by the survivor")
	if m.ID != id || string(m.Data) != "job-1" || m.Metadata["k"] != "v" || m.Attempt != 2 {
		t.Fatalf("claimed %+v, want %s job-1 at attempt 2", m, id)
	}
	later, err := publisher.Publish(ctx, "jobs", []byte("job-2"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := pubsubtest.Receive(t, got, "a later message"); m.ID != later || m.Attempt != 1 {
		t.Fatalf("then got %+v, want %s at attempt 1", m, later)
	}
	if err := sub.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := pendingCount(t, raw, key, "workers"); n != 0 {
		t.Fatalf("%d messages still pending after the survivor handled them", n)
	}
}

// TestClosedWhileHandlingIsRedelivered: a host whose bus closes while its
// handler holds a message (Close's grace period ends, the handler fails)
// leaves it unacknowledged; another host's member of the group gets it.
func TestClosedWhileHandlingIsRedelivered(t *testing.T) {
	addr := testserver.Redis(t)
	cfg := claimConfig(addr)
	leaving, staying := newBus(t, cfg), newBus(t, cfg)
	ctx := t.Context()
	started := make(chan struct{})
	if _, err := leaving.Subscribe(ctx, "jobs", "workers", func(ctx context.Context, m pubsub.Message) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	id, err := leaving.Publish(ctx, "jobs", []byte("job-1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	pubsubtest.Receive(t, started, "the leaving member's handler")
	got, _ := collect(t, staying, "jobs", "workers")

	expired, cancel := context.WithCancel(ctx)
	cancel()
	if err := leaving.Close(expired); err == nil {
		t.Fatal("Close with an expired context returned nil while a handler ran")
	}
	m := pubsubtest.Receive(t, got, "the message the closed host did not finish")
	if m.ID != id || m.Attempt != 2 {
		t.Fatalf("got %+v, want %s at attempt 2", m, id)
	}
}

// TestClaimedAfterLastAttemptIsDropped: a message whose holder crashed
// during its last attempt is dropped by the claiming member, not handled a
// fourth time.
func TestClaimedAfterLastAttemptIsDropped(t *testing.T) {
	addr := testserver.Redis(t)
	cfg := claimConfig(addr)
	b := newBus(t, cfg)
	ctx := t.Context()
	raw := rawClient(t, addr)
	key := b.streamKey("jobs")
	if err := raw.XGroupCreateMkStream(ctx, key, "workers", "$").Err(); err != nil {
		t.Fatal(err)
	}
	poison, err := b.Publish(ctx, "jobs", []byte("poison"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.XReadGroup(ctx, &goredis.XReadGroupArgs{
		Group: "workers", Consumer: "crashed", Streams: []string{key, ">"}, Count: 1, Block: -1,
	}).Err(); err != nil {
		t.Fatal(err)
	}
	// The crashed consumer had made every attempt, and long ago: the
	// member's first claim scan, before it reads new messages, takes it.
	if err := raw.Do(ctx, "XCLAIM", key, "workers", "crashed", 0, poison,
		"IDLE", time.Hour.Milliseconds(), "RETRYCOUNT", DefaultMaxAttempts, "JUSTID").Err(); err != nil {
		t.Fatal(err)
	}
	next, err := b.Publish(ctx, "jobs", []byte("next"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, sub := collect(t, b, "jobs", "workers")
	if m := pubsubtest.Receive(t, got, "the message after the poison"); m.ID != next {
		t.Fatalf("got %+v, want %s", m, next)
	}
	if n := b.Counter(t, "cadenza.pubsub.dropped", map[string]string{"reason": "max_attempts"}); n != 1 {
		t.Fatalf("dropped{reason=max_attempts} = %d, want 1", n)
	}
	if err := sub.Close(ctx); err != nil { // waits for the acknowledgements
		t.Fatal(err)
	}
	if n := pendingCount(t, raw, key, "workers"); n != 0 {
		t.Fatalf("%d messages still pending", n)
	}
	select {
	case m := <-got:
		t.Fatalf("the handler got %+v after its last attempt", m)
	default:
	}
}

// TestHeldMessageIsNotClaimed: a live member whose handler runs longer
// than claimIdle keeps its message (the heartbeat resets its idle time), so
// another member of the group does not get a duplicate. The hold is the
// scenario itself: several claim periods of the other member.
func TestHeldMessageIsNotClaimed(t *testing.T) {
	addr := testserver.Redis(t)
	cfg := claimConfig(addr)
	slow, other := newBus(t, cfg), newBus(t, cfg)
	ctx := t.Context()
	hold := 4 * cfg.ClaimIdle.D()
	started, handled := make(chan struct{}, 4), make(chan pubsub.Message, 4)
	slowSub, err := slow.Subscribe(ctx, "jobs", "workers", func(ctx context.Context, m pubsub.Message) error {
		started <- struct{}{}
		time.Sleep(hold) // a long job
		handled <- m
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	id, err := slow.Publish(ctx, "jobs", []byte("long"), nil)
	if err != nil {
		t.Fatal(err)
	}
	pubsubtest.Receive(t, started, "the slow handler to start")
	got, otherSub := collect(t, other, "jobs", "workers")
	if m := pubsubtest.Receive(t, handled, "the slow handler"); m.ID != id || m.Attempt != 1 {
		t.Fatalf("slow member handled %+v", m)
	}
	if err := slowSub.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := otherSub.Close(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		t.Fatalf("the other member got %+v while the slow one held it", m)
	default:
	}
}

// TestMemberLeavesItsGroup: closing a subscription with nothing pending
// deletes its consumer, so groups do not collect dead consumers.
func TestMemberLeavesItsGroup(t *testing.T) {
	addr := testserver.Redis(t)
	b := newBus(t, claimConfig(addr))
	raw := rawClient(t, addr)
	ctx := t.Context()
	_, sub := collect(t, b, "t", "g")
	key := b.streamKey("t")
	if n := len(raw.XInfoConsumers(ctx, key, "g").Val()); n > 1 {
		t.Fatalf("%d consumers for one member", n)
	}
	if err := sub.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if cs := raw.XInfoConsumers(ctx, key, "g").Val(); len(cs) != 0 {
		t.Fatalf("consumers left after Close: %+v", cs)
	}
}

// TestMalformedEntryIsDropped: an entry another program added without a
// data field is acknowledged, logged and counted, and delivery goes on.
func TestMalformedEntryIsDropped(t *testing.T) {
	addr := testserver.Redis(t)
	b := newBus(t, claimConfig(addr))
	ctx := t.Context()
	got, _ := collect(t, b, "t", "g")
	raw := rawClient(t, addr)
	if err := raw.XAdd(ctx, &goredis.XAddArgs{Stream: b.streamKey("t"), Values: []any{"other", "x"}}).Err(); err != nil {
		t.Fatal(err)
	}
	id, err := b.Publish(ctx, "t", []byte("ok"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := pubsubtest.Receive(t, got, "the message after the malformed entry"); m.ID != id {
		t.Fatalf("got %+v, want %s", m, id)
	}
	if n := b.Counter(t, "cadenza.pubsub.dropped", map[string]string{"reason": "malformed"}); n != 1 {
		t.Fatalf("dropped{reason=malformed} = %d, want 1", n)
	}
}
