package sync

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// txn collects the writes of one state change (records, queued status
// reports, applied markers) so they reach the store in one atomic Batch:
// after a crash either all of them happened or none did, so a status report
// is never lost and a state never changes without its report.
type txn struct {
	ops     []state.Op
	reports []queuedReport
}

// queuedReport is one undelivered status report.
type queuedReport struct {
	DeploymentID string          `json:"deploymentId"`
	State        string          `json:"state"`
	Body         json.RawMessage `json:"body"`
	Queued       time.Time       `json:"queued"`
}

// put adds a JSON put.
func (t *txn) put(key string, v any) error {
	op, err := putOp(key, v)
	if err != nil {
		return err
	}
	t.ops = append(t.ops, op)
	return nil
}

// putRaw adds a put of raw bytes.
func (t *txn) putRaw(key string, b []byte) { t.ops = append(t.ops, state.Op{Key: key, Value: b}) }

// del adds a delete.
func (t *txn) del(key string) { t.ops = append(t.ops, state.Op{Key: key, Delete: true}) }

// record adds the record's put and its status report.
func (t *txn) record(r *deploymentRecord, now time.Time) error {
	body, err := r.statusDoc()
	if err != nil {
		return err
	}
	if err := t.put(deployKey(r.ID), r); err != nil {
		return err
	}
	t.reports = append(t.reports, queuedReport{DeploymentID: r.ID, State: string(r.State), Body: body, Queued: now.UTC()})
	return nil
}

// commit writes t in one batch, appending its reports to the status queue
// (dropping superseded reports when the queue is full), then tries to
// deliver the queue. ctx may be canceled (the agent stopping): the write
// still happens, under a bounded detached context, because what it records
// has already happened.
func (m *Manager) commit(ctx context.Context, t *txn) error {
	if len(t.ops) == 0 && len(t.reports) == 0 {
		return nil
	}
	wctx, cancel := durable(ctx)
	defer cancel()
	ops := t.ops
	var drops []string
	if n := len(t.reports); n > 0 {
		var err error
		drops, err = m.overflow(wctx, t.reports)
		if err != nil {
			return err
		}
		for _, k := range drops {
			ops = append(ops, state.Op{Key: k, Delete: true})
		}
		for i, r := range t.reports {
			b, err := json.Marshal(r)
			if err != nil {
				return fault.Wrap(err, fault.Internal, "encode a status report")
			}
			ops = append(ops, state.Op{Key: seqKey(prefixQueue, m.queueNext+uint64(i)), Value: b})
		}
		next, _ := json.Marshal(m.queueNext + uint64(n))
		ops = append(ops, state.Op{Key: keyQueueNext, Value: next})
	}
	if _, err := m.store.Batch(wctx, ops); err != nil {
		return fault.Wrap(err, fault.Unavailable, "write the agent state")
	}
	if n := len(t.reports); n > 0 {
		m.queueNext += uint64(n)
		m.met.depth.Add(int64(n - len(drops)))
		for _, r := range t.reports {
			m.log.Info("deployment status", "deploymentId", r.DeploymentID, "state", r.State)
		}
		if len(drops) > 0 {
			m.met.statusDropped(ctx, "queue-full", len(drops))
			m.log.Warn("status queue full: dropped the oldest superseded reports; raise statusQueueMax if the WFM is often unreachable this long",
				"dropped", len(drops), "statusQueueMax", m.cfg.StatusQueueMax)
		}
		if ctx.Err() == nil {
			m.flush(ctx)
		}
	}
	return nil
}
