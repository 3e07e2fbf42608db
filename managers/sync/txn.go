package sync

import (
	"encoding/json"
	"time"

	"github.com/cadenza-edge/cadenza/coa/state"
)

// txn collects the writes of one state change (records, queued status
// reports, applied markers) so they reach the store in one atomic Batch:
// after a crash either all of them happened or none did, so a status report
// is never lost and a state never changes without its report.
type txn struct {
	ops     []state.Op
	reports []queuedReport
	rc3     bool // status reports in the rc.3 form
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
	body, err := r.statusDoc(t.rc3)
	if err != nil {
		return err
	}
	if err := t.put(deployKey(r.ID), r); err != nil {
		return err
	}
	t.reports = append(t.reports, queuedReport{DeploymentID: r.ID, State: string(r.State), Body: body, Queued: now.UTC()})
	return nil
}
