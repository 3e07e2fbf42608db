package redis

import (
	"context"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// heartbeat keeps the messages of a batch from going idle while the member
// works through them: every ClaimIdle/3 it resets the idle time of those
// not yet acknowledged (touch.lua). Only a member that stopped working (a
// crashed process, a lost connection) lets its messages reach ClaimIdle and
// be claimed by another member.
type heartbeat struct {
	m    *member
	ids  []string
	from atomic.Int64 // ids[from:] are still held
	quit chan struct{}
	done chan struct{}
}

// keepAlive starts the heartbeat of msgs; stop it with stop.
func (m *member) keepAlive(msgs []goredis.XMessage) *heartbeat {
	h := &heartbeat{m: m, ids: make([]string, len(msgs)), quit: make(chan struct{}), done: make(chan struct{})}
	for i, x := range msgs {
		h.ids[i] = x.ID
	}
	go h.run()
	return h
}

// handled records that the first n messages are no longer held.
func (h *heartbeat) handled(n int) { h.from.Store(int64(n)) }

// stop ends the heartbeat and waits for a touch in flight, so that a
// release that follows is not undone.
func (h *heartbeat) stop() {
	select {
	case <-h.quit:
	default:
		close(h.quit)
	}
	<-h.done
}

func (h *heartbeat) run() {
	defer close(h.done)
	m := h.m
	ticker := time.NewTicker(max(m.b.cfg.ClaimIdle.D()/3, time.Millisecond))
	defer ticker.Stop()
	for {
		select {
		case <-h.quit:
			return
		case <-ticker.C:
		}
		ids := h.ids[h.from.Load():]
		if len(ids) == 0 {
			continue
		}
		args := make([]any, 0, 2+len(ids))
		args = append(args, m.group, m.consumer)
		for _, id := range ids {
			args = append(args, id)
		}
		ctx, cancel := context.WithTimeout(context.Background(), m.b.cfg.ClaimIdle.D())
		err := touchScript.Run(ctx, m.b.rdb, []string{m.key}, args...).Err()
		cancel()
		if err != nil {
			m.b.log().Debug("pubsub: cannot keep held messages from going idle", "topic", m.topic, "group", m.group, "error", err)
		}
	}
}
