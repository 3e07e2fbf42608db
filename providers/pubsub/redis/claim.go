package redis

import (
	"context"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// scanDone is the XAUTOCLAIM cursor of a finished scan.
const scanDone = "0-0"

// claim takes over up to Batch messages of the group that have been
// pending (unacknowledged) for ClaimIdle, whichever member held them, and
// delivers them with their next attempt number. A scan of the group's
// pending messages goes on at the next call while it is not finished.
func (m *member) claim() error {
	cfg := m.b.cfg
	m.nextClaim = time.Now().Add(cfg.claimEvery())
	start := m.cursor
	if start == "" {
		start = scanDone
	}
	ctx := context.Background()
	msgs, next, err := m.b.rdb.XAutoClaim(ctx, &goredis.XAutoClaimArgs{
		Stream:   m.key,
		Group:    m.group,
		Consumer: m.consumer,
		MinIdle:  cfg.ClaimIdle.D(),
		Start:    start,
		Count:    int64(cfg.Batch),
	}).Result()
	if err != nil {
		return err
	}
	m.cursor = next
	if next != scanDone {
		m.nextClaim = time.Now() // more to scan
	} else {
		m.sweep(ctx)
	}
	if len(msgs) == 0 {
		return nil
	}
	counts := m.deliveryCounts(ctx, msgs)
	m.b.log().Info("pubsub: claimed messages another member left unacknowledged",
		"topic", m.topic, "group", m.group, "consumer", m.consumer, "count", len(msgs), "idle", cfg.ClaimIdle.D())
	m.deliverAll(msgs, counts)
	return nil
}

// deliveryCounts returns the delivery count of each claimed message, as
// the server keeps it (the claim counted as one). A message whose count
// cannot be read is counted as delivered twice: once before, once now.
func (m *member) deliveryCounts(ctx context.Context, msgs []goredis.XMessage) map[string]int {
	cmds := make([]*goredis.XPendingExtCmd, len(msgs))
	pipe := m.b.rdb.Pipeline()
	for i, x := range msgs {
		cmds[i] = pipe.XPendingExt(ctx, &goredis.XPendingExtArgs{Stream: m.key, Group: m.group, Start: x.ID, End: x.ID, Count: 1})
	}
	_, _ = pipe.Exec(ctx) // each command's own error is checked below
	counts := make(map[string]int, len(msgs))
	for i, x := range msgs {
		counts[x.ID] = 2
		if p, err := cmds[i].Result(); err == nil && len(p) == 1 {
			counts[x.ID] = int(p[0].RetryCount)
		}
	}
	return counts
}

// heldEntry is a pending message a stopping member gives back: seen is how
// many times a handler has been called with it.
type heldEntry struct {
	id   string
	seen int
}

// release makes messages the member holds but will not handle claimable
// by the other members at once: it sets their idle time to ClaimIdle and
// their delivery count to the attempts made, so the next claim delivers
// the next attempt.
func (m *member) release(held []heldEntry) {
	if len(held) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	idle := strconv.FormatInt(m.b.cfg.ClaimIdle.D().Milliseconds(), 10)
	pipe := m.b.rdb.Pipeline()
	for _, h := range held {
		pipe.Do(ctx, "XCLAIM", m.key, m.group, m.consumer, 0, h.id, "IDLE", idle, "RETRYCOUNT", h.seen, "JUSTID")
	}
	if _, err := pipe.Exec(ctx); err != nil {
		m.b.log().Warn("pubsub: cannot release messages; other members claim them after claimIdle",
			"topic", m.topic, "group", m.group, "count", len(held), "error", err)
		return
	}
	m.b.log().Debug("pubsub: released messages to the group", "topic", m.topic, "group", m.group, "count", len(held))
}
