package redis

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
)

// Back-off after a failed command, doubling from the first to the last.
const (
	firstBackoff = 50 * time.Millisecond
	lastBackoff  = 2 * time.Second
)

// member is one subscription: a consumer of the group, with its own
// connection for blocking reads and one goroutine (run) that reads, calls
// the handler and acknowledges.
type member struct {
	b        *Bus
	topic    string
	group    string
	key      string // the topic's stream
	consumer string
	handler  pubsub.Handler
	reader   *goredis.Client // blocking reads only; stop closes it to interrupt one
	attrs    pubsub.GroupAttrs

	ctx    context.Context // the handler's
	cancel context.CancelFunc

	// Owned by the run goroutine.
	lastID    string    // the last entry read as new: where a lost group is recreated from
	cursor    string    // where the next XAUTOCLAIM scan starts
	nextClaim time.Time // when to look for idle messages next
	nextSweep time.Time // when to look for stale consumers next
	failing   bool      // the last command failed; logged once per outage

	stopOnce sync.Once
	stopping chan struct{} // closed by stop
	done     chan struct{} // closed when run returns
}

func (b *Bus) newMember(topic, group string, handler pubsub.Handler, lastID string) (*member, error) {
	opts, err := redisconn.Options(b.cfg.Config)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	opts.PoolSize = 1 // one blocking read at a time
	b.mu.Lock()
	b.seq++
	consumer := fmt.Sprintf("%s-%d", b.name, b.seq)
	b.mu.Unlock()
	m := &member{
		b:        b,
		topic:    topic,
		group:    group,
		key:      b.streamKey(topic),
		consumer: consumer,
		handler:  handler,
		reader:   goredis.NewClient(opts),
		attrs:    pubsub.NewGroupAttrs(topic, group),
		lastID:   lastID,
		stopping: make(chan struct{}),
		done:     make(chan struct{}),
	}
	m.ctx, m.cancel = context.WithCancel(context.WithValue(b.life, memberKey{}, m))
	return m, nil
}

// stop asks run to return and interrupts a blocking read. It is idempotent.
func (m *member) stop() {
	m.stopOnce.Do(func() {
		close(m.stopping)
		_ = m.reader.Close()
	})
}

func (m *member) stopped() bool {
	select {
	case <-m.stopping:
		return true
	default:
		return false
	}
}

// run is the member's goroutine: it looks for idle messages to claim when
// that is due, else reads new messages, and delivers what it got, until
// stop. A failed command is retried with back-off; a lost group is
// recreated.
func (m *member) run() {
	defer close(m.done)
	defer m.finish()
	var backoff time.Duration
	for !m.stopped() {
		var err error
		if time.Now().Before(m.nextClaim) {
			err = m.readNew()
		} else {
			err = m.claim()
		}
		if err != nil && !m.stopped() && isNoGroup(err) {
			err = m.recreateGroup()
		}
		if err == nil {
			if m.failing {
				m.failing = false
				m.b.log().Info("pubsub: reading again", "topic", m.topic, "group", m.group, "consumer", m.consumer)
			}
			backoff = 0
			continue
		}
		if m.stopped() {
			return
		}
		if !m.failing {
			m.failing = true
			m.b.log().Warn("pubsub: cannot read; retrying", "topic", m.topic, "group", m.group, "consumer", m.consumer, "error", err)
		}
		backoff = min(max(2*backoff, firstBackoff), lastBackoff)
		if !m.pause(backoff) {
			return
		}
	}
}

// readNew reads up to Batch new messages, waiting at most until the next
// claim is due (and at most Block), and delivers them.
func (m *member) readNew() error {
	block := min(m.b.cfg.Block.D(), time.Until(m.nextClaim))
	block = max(block, time.Millisecond) // BLOCK 0 would wait forever
	streams, err := m.reader.XReadGroup(context.Background(), &goredis.XReadGroupArgs{
		Group:    m.group,
		Consumer: m.consumer,
		Streams:  []string{m.key, ">"},
		Count:    int64(m.b.cfg.Batch),
		Block:    block,
	}).Result()
	if errors.Is(err, goredis.Nil) {
		return nil // nothing new
	}
	if err != nil {
		return err
	}
	for _, s := range streams {
		if n := len(s.Messages); n > 0 {
			m.lastID = s.Messages[n-1].ID
		}
		m.deliverAll(s.Messages, nil)
	}
	return nil
}

// recreateGroup creates the member's group again after the server lost it
// (a restart without persistence), from the last entry the member read, so
// the messages published since then are delivered.
func (m *member) recreateGroup() error {
	from := m.lastID
	if from == "" {
		from = "0"
	}
	err := m.b.rdb.XGroupCreateMkStream(context.Background(), m.key, m.group, from).Err()
	if err != nil && !isBusyGroup(err) {
		return err
	}
	if err == nil {
		m.b.log().Warn("pubsub: the consumer group was missing (did the redis server restart without persistence?); recreated it",
			"topic", m.topic, "group", m.group, "from", from)
	}
	return nil
}

// pause waits d; it reports false when the member stops first.
func (m *member) pause(d time.Duration) bool {
	if d <= 0 {
		return !m.stopped()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-m.stopping:
		return false
	}
}

// finish leaves the group when nothing is pending for the member (else
// the consumer stays, for other members to claim from), cancels the
// handler's context and forgets the member.
func (m *member) finish() {
	m.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := leaveScript.Run(ctx, m.b.rdb, []string{m.key}, m.group, m.consumer).Err(); err != nil {
		m.b.log().Debug("pubsub: cannot leave the group", "topic", m.topic, "group", m.group, "consumer", m.consumer, "error", err)
	}
	m.cancel()
	m.b.removeMember(m)
}
