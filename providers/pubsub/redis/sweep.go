package redis

import (
	"context"
	"time"
)

// minStale is the shortest idle time after which a consumer without
// pending messages counts as the remains of a stopped member.
const minStale = 5 * time.Minute

// sweep deletes the group's consumers that have no pending messages and
// have not read for a long time: members of processes that crashed, whose
// messages other members have claimed. A live member reads at least every
// Block, and one handling a message has it pending, so sweeping never
// takes a message away; a consumer deleted by mistake is recreated by its
// next read. It runs at most every minStale/2 per member.
func (m *member) sweep(ctx context.Context) {
	if time.Now().Before(m.nextSweep) {
		return
	}
	cfg := m.b.cfg
	stale := max(minStale, 10*cfg.ClaimIdle.D(), 10*cfg.Block.D())
	m.nextSweep = time.Now().Add(stale / 2)
	consumers, err := m.b.rdb.XInfoConsumers(ctx, m.key, m.group).Result()
	if err != nil {
		return
	}
	for _, c := range consumers {
		if c.Name == m.consumer || c.Pending > 0 || c.Idle < stale {
			continue
		}
		n, err := leaveScript.Run(ctx, m.b.rdb, []string{m.key}, m.group, c.Name).Int()
		if err == nil && n == 1 {
			m.b.log().Info("pubsub: removed a stale consumer from the group",
				"topic", m.topic, "group", m.group, "consumer", c.Name, "idle", c.Idle)
		}
	}
}
