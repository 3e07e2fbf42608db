package sync

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/margo/client"
)

// ErrorRecord is one error the local API shows under /errors.
type ErrorRecord struct {
	Seq          uint64    `json:"seq"`
	Time         time.Time `json:"time"`
	Kind         string    `json:"kind"` // onboarding, capabilities, poll, manifest, fetch, apply, remove, status, status report, security
	DeploymentID string    `json:"deploymentId,omitempty"`
	Component    string    `json:"component,omitempty"`
	Code         string    `json:"code,omitempty"`
	Message      string    `json:"message"`
}

// recordError keeps e among the last ErrorHistory errors. It never fails
// the caller: losing an error record is logged, not fatal.
func (m *Manager) recordError(ctx context.Context, e ErrorRecord) {
	e.Seq, e.Time = m.errNext, m.now().UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	next, _ := json.Marshal(m.errNext + 1)
	ops := []state.Op{
		{Key: seqKey(prefixErrors, e.Seq), Value: b},
		{Key: keyErrorsNext, Value: next},
	}
	if h := uint64(m.cfg.ErrorHistory); e.Seq >= h {
		ops = append(ops, state.Op{Key: seqKey(prefixErrors, e.Seq-h), Delete: true})
	}
	wctx, cancel := durable(ctx)
	defer cancel()
	if _, err := m.store.Batch(wctx, ops); err != nil {
		m.log.Error("cannot record an error in the agent state", "err", err)
		return
	}
	m.errNext++
	m.mu.Lock()
	m.rt.LastError = e.Message
	m.mu.Unlock()
}

// Errors returns up to limit recent errors, newest first.
func (m *Manager) Errors(ctx context.Context, limit int) ([]ErrorRecord, error) {
	entries, err := listAll(ctx, m.store, prefixErrors)
	if err != nil {
		return nil, err
	}
	out := make([]ErrorRecord, 0, min(len(entries), max(limit, 0)))
	for i := len(entries) - 1; i >= 0 && len(out) < limit; i-- {
		var e ErrorRecord
		if json.Unmarshal(entries[i].Value, &e) == nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// codeOf is a short classification of err for error records: the HTTP
// status of a WFM answer, "timeout", "network", or the fault code.
func codeOf(err error) string {
	var ce *client.Error
	if errors.As(err, &ce) {
		return strconv.Itoa(ce.Status)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		if ne.Timeout() {
			return "timeout"
		}
		return "network"
	}
	return string(fault.CodeOf(err))
}
