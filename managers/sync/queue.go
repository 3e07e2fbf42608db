package sync

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/margo/client"
)

// flushPage is how many queued reports one store read returns.
const flushPage = 64

// overflow returns the queue keys to delete so that adding the reports
// keeps the queue within StatusQueueMax: first the oldest reports of a
// deployment that has a later report (queued or being added: the WFM only
// needs the latest), then, if still too many, the oldest reports.
func (m *Manager) overflow(ctx context.Context, adding []queuedReport) ([]string, error) {
	excess := int(m.met.depth.Load()) + len(adding) - m.cfg.StatusQueueMax
	if excess <= 0 {
		return nil, nil
	}
	entries, err := listAll(ctx, m.store, prefixQueue)
	if err != nil {
		return nil, err
	}
	later := map[string]int{} // deployment -> reports after the one being looked at
	for _, r := range adding {
		later[r.DeploymentID]++
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		var q queuedReport
		_ = json.Unmarshal(e.Value, &q)
		ids[i] = q.DeploymentID
		later[q.DeploymentID]++
	}
	var drop []string
	dropped := make([]bool, len(entries))
	for i, e := range entries {
		if len(drop) == excess {
			break
		}
		later[ids[i]]--
		if later[ids[i]] > 0 {
			drop, dropped[i] = append(drop, e.Key), true
		}
	}
	for i, e := range entries {
		if len(drop) >= excess {
			break
		}
		if !dropped[i] {
			drop = append(drop, e.Key)
		}
	}
	return drop, nil
}

// flush delivers queued status reports in order until the queue is empty
// or the WFM cannot take them (then the backoff applies). A report the WFM
// rejects for good (400, 404, 409, 410, 413, 415, 422: e.g. a deployment
// it has already purged) is dropped and logged, so one bad report cannot
// block the others; anything else (network, 401, 403, 429, 5xx) keeps the
// report for a later try.
func (m *Manager) flush(ctx context.Context) {
	now := m.now()
	if m.client == nil || m.met.depth.Load() <= 0 || now.Before(m.retryAt) || m.sched.down(now) {
		return
	}
	opts := state.ListOptions{Limit: flushPage}
	for ctx.Err() == nil {
		page, err := m.store.List(ctx, prefixQueue, opts)
		if err != nil {
			m.log.Error("cannot read the status queue", "err", err)
			return
		}
		for _, e := range page.Entries {
			var q queuedReport
			if err := json.Unmarshal(e.Value, &q); err != nil {
				m.log.Error("dropping a corrupt queued status report", "key", e.Key, "err", err)
				m.dequeue(ctx, e.Key)
				continue
			}
			err := m.client.ReportStatus(ctx, q.DeploymentID, q.Body)
			switch {
			case err == nil:
				m.commOK()
				m.met.statusReport(ctx, "delivered")
			case rejectedForGood(err):
				m.met.statusReport(ctx, "rejected")
				m.log.Warn("the WFM rejected a status report; dropped it", "deploymentId", q.DeploymentID, "state", q.State, "err", err)
				m.recordError(ctx, ErrorRecord{Kind: "status", DeploymentID: q.DeploymentID, Code: codeOf(err), Message: err.Error()})
			default:
				m.met.statusReport(ctx, "deferred")
				m.commFailed(ctx, "status report", err)
				return
			}
			m.dequeue(ctx, e.Key)
		}
		if page.Next == "" {
			return
		}
		opts.After = page.Next
	}
}

// dequeue deletes a delivered report.
func (m *Manager) dequeue(ctx context.Context, key string) {
	wctx, cancel := durable(ctx)
	defer cancel()
	if err := m.store.Delete(wctx, key, state.Always()); err != nil {
		m.log.Error("cannot delete a delivered status report; it may be sent twice", "key", key, "err", err)
		return
	}
	m.met.depth.Add(-1)
}

// rejectedForGood reports whether the WFM refused a request in a way that
// retrying the same bytes cannot fix.
func rejectedForGood(err error) bool {
	var ce *client.Error
	if !errors.As(err, &ce) {
		return false
	}
	switch ce.Status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusGone,
		http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return true
	}
	return false
}
