package sync

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
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

// errorLog keeps the last ErrorHistory errors in the state store, for the
// local API. It never fails its callers: losing an error record is logged,
// not fatal.
type errorLog struct {
	store   state.Store
	log     *slog.Logger
	clock   func() time.Time
	history int
	board   *board
	next    uint64 // sequence number of the next record
}

// load reads the sequence counter at start.
func (l *errorLog) load(ctx context.Context) error {
	_, _, err := getJSON(ctx, l.store, keyErrorsNext, &l.next)
	return err
}

// record keeps e.
func (l *errorLog) record(ctx context.Context, e ErrorRecord) {
	e.Seq, e.Time = l.next, l.clock().UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	next, _ := json.Marshal(l.next + 1)
	ops := []state.Op{
		{Key: seqKey(prefixErrors, e.Seq), Value: b},
		{Key: keyErrorsNext, Value: next},
	}
	if h := uint64(l.history); e.Seq >= h {
		ops = append(ops, state.Op{Key: seqKey(prefixErrors, e.Seq-h), Delete: true})
	}
	wctx, cancel := durable(ctx)
	defer cancel()
	if _, err := l.store.Batch(wctx, ops); err != nil {
		l.log.Error("cannot record an error in the agent state", "err", err)
		return
	}
	l.next++
	l.board.update(func(rt *runtimeView) { rt.LastError = e.Message })
}

// list returns up to limit recent errors, newest first.
func (l *errorLog) list(ctx context.Context, limit int) ([]ErrorRecord, error) {
	entries, err := listAll(ctx, l.store, prefixErrors)
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

// Errors returns up to limit recent errors, newest first.
func (m *Manager) Errors(ctx context.Context, limit int) ([]ErrorRecord, error) {
	return m.errs.list(ctx, limit)
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
