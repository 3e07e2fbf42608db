package redis

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	goredis "github.com/redis/go-redis/v9"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// errOverAttempts is the drop reason of a claimed message that had used
// every attempt already (its member crashed during the last one).
var errOverAttempts = errors.New("claimed after its last attempt")

// deliverAll delivers msgs in order, keeping them from going idle while it
// works. attempts maps an entry ID to its delivery count; nil means first
// deliveries. When the member stops, the messages it holds but did not
// finish are released to the group.
func (m *member) deliverAll(msgs []goredis.XMessage, attempts map[string]int) {
	attempt := func(id string) int {
		if attempts == nil {
			return 1
		}
		return max(attempts[id], 1)
	}
	hb := m.keepAlive(msgs)
	for i, x := range msgs {
		seen, finished := m.deliver(x, attempt(x.ID))
		if finished {
			hb.handled(i + 1)
			continue
		}
		hb.stop()
		held := []heldEntry{{id: x.ID, seen: seen}}
		for _, y := range msgs[i+1:] {
			held = append(held, heldEntry{id: y.ID, seen: attempt(y.ID) - 1})
		}
		m.release(held)
		return
	}
	hb.stop()
}

// deliver calls the handler with x until it succeeds or MaxAttempts calls
// failed, retrying in place after RetryDelay, then acknowledges x. When the
// member stops first, deliver returns finished false and how many handler
// calls x has seen: the caller releases it.
func (m *member) deliver(x goredis.XMessage, attempt int) (seen int, finished bool) {
	b := m.b
	msg, err := decode(m.topic, x)
	if err != nil {
		m.ack(x.ID)
		b.metrics.Dropped(context.Background(), m.topic, m.group, pubsub.DropMalformed, 1)
		b.log().Warn("pubsub: message dropped: malformed stream entry", "topic", m.topic, "group", m.group, "id", x.ID, "error", err)
		return 0, true
	}
	for {
		if attempt > b.cfg.MaxAttempts {
			m.drop(msg, attempt-1, errOverAttempts)
			return attempt - 1, true
		}
		msg.Attempt = attempt
		err, called := m.call(msg)
		switch {
		case !called: // stopped
			return attempt - 1, false
		case err == nil:
			m.ack(x.ID)
			b.metrics.Delivered(context.Background(), m.attrs)
			return attempt, true
		case attempt >= b.cfg.MaxAttempts:
			m.drop(msg, attempt, err)
			return attempt, true
		}
		b.log().Debug("pubsub: handler failed; redelivering",
			"topic", m.topic, "group", m.group, "id", x.ID, "attempt", attempt, "error", err)
		if !m.pause(b.cfg.RetryDelay.D()) {
			return attempt, false
		}
		if !m.keep(x.ID, attempt+1) {
			return attempt, true // another member has it now
		}
		attempt++
	}
}

// call runs the handler unless the member stopped (called false); a panic
// is logged with its stack and returned as an error.
func (m *member) call(msg pubsub.Message) (err error, called bool) {
	if m.stopped() {
		return nil, false
	}
	called = true // also when the handler panics
	defer func() {
		if r := recover(); r != nil {
			m.b.log().Error("pubsub: handler panicked",
				"topic", msg.Topic, "group", m.group, "id", msg.ID, "attempt", msg.Attempt,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%s: handler panicked: %v", ID, r)
		}
	}()
	return m.handler(m.ctx, msg), called
}

// keep records attempt as the message's delivery count and resets its idle
// time, if it is still pending for this member; false means another member
// claimed it (or the stream was trimmed past it) and this one must let go.
// When the server cannot be asked, the member goes on with the attempt.
func (m *member) keep(id string, attempt int) bool {
	n, err := retryScript.Run(context.Background(), m.b.rdb, []string{m.key}, m.group, m.consumer, id, attempt).Int()
	if err != nil {
		m.b.log().Warn("pubsub: cannot record a redelivery", "topic", m.topic, "group", m.group, "id", id, "error", err)
		return true
	}
	if n == 0 {
		m.b.log().Info("pubsub: message taken over by another member before its redelivery", "topic", m.topic, "group", m.group, "id", id)
	}
	return n == 1
}

// ack acknowledges a handled (or dropped) message. If it fails the message
// stays pending and another member claims it after ClaimIdle.
func (m *member) ack(id string) {
	if err := m.b.rdb.XAck(context.Background(), m.key, m.group, id).Err(); err != nil {
		m.b.log().Warn("pubsub: cannot acknowledge; the message will be redelivered",
			"topic", m.topic, "group", m.group, "id", id, "error", err)
	}
}

// drop acknowledges a message the group gives up on, logs and counts it.
func (m *member) drop(msg pubsub.Message, attempts int, err error) {
	m.ack(msg.ID)
	m.b.metrics.Dropped(context.Background(), m.topic, m.group, pubsub.DropMaxAttempts, 1)
	m.b.log().Warn("pubsub: message dropped: every delivery attempt failed",
		"topic", m.topic, "group", m.group, "id", msg.ID, "attempts", attempts, "error", err)
}
