package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"

	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/margo/client"
)

// flushPage is how many queued reports one store read returns.
const flushPage = 64

// statusQueue is the durable queue of status reports, in the order the
// states happened, and their delivery: a report is queued in the same
// batch as the state change it reports (see txn), delivered in order when
// the WFM can take it, and deleted once delivered, so none is lost across
// restarts or WFM outages. When the queue is full, superseded reports go
// first. The depth is the cadenza.agent.status_queue_depth gauge.
type statusQueue struct {
	*base
	sink reportSink
	next uint64 // sequence number of the next report
}

// statusSender delivers one status report (margo/client.Client).
type statusSender interface {
	ReportStatus(ctx context.Context, deploymentID string, doc []byte) error
}

// reportSink is what the queue needs of the link to the WFM.
type reportSink interface {
	// sender returns the client to deliver with at now, nil while no
	// report may be sent (not onboarded, backing off, in downtime).
	sender(now time.Time) statusSender
	ok()                                                // a delivery succeeded
	failed(ctx context.Context, what string, err error) // a delivery failed: back off
}

// load reads the queue's depth and next sequence number at start.
func (q *statusQueue) load(ctx context.Context) error {
	if _, _, err := getJSON(ctx, q.store, keyQueueNext, &q.next); err != nil {
		return err
	}
	queued, err := listAll(ctx, q.store, prefixQueue)
	if err != nil {
		return err
	}
	q.met.depth.Store(int64(len(queued)))
	if n := len(queued); n > 0 {
		var last uint64
		_, _ = fmt.Sscanf(queued[n-1].Key[len(prefixQueue):], "%d", &last)
		q.next = max(q.next, last+1)
	}
	return nil
}

// overflow returns the queue keys to delete so that adding the reports
// keeps the queue within StatusQueueMax: first the oldest reports of a
// deployment that has a later report (queued or being added: the WFM only
// needs the latest), then, if still too many, the oldest reports.
func (q *statusQueue) overflow(ctx context.Context, adding []queuedReport) ([]string, error) {
	excess := int(q.met.depth.Load()) + len(adding) - q.cfg.StatusQueueMax
	if excess <= 0 {
		return nil, nil
	}
	entries, err := listAll(ctx, q.store, prefixQueue)
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
func (q *statusQueue) flush(ctx context.Context) {
	if q.met.depth.Load() <= 0 {
		return
	}
	send := q.sink.sender(q.now())
	if send == nil {
		return
	}
	opts := state.ListOptions{Limit: flushPage}
	for ctx.Err() == nil {
		page, err := q.store.List(ctx, prefixQueue, opts)
		if err != nil {
			q.log.Error("cannot read the status queue", "err", err)
			return
		}
		for _, e := range page.Entries {
			var rep queuedReport
			if err := json.Unmarshal(e.Value, &rep); err != nil {
				q.log.Error("dropping a corrupt queued status report", "key", e.Key, "err", err)
				q.dequeue(ctx, e.Key)
				continue
			}
			err := send.ReportStatus(ctx, rep.DeploymentID, rep.Body)
			switch {
			case err == nil:
				q.sink.ok()
				q.met.statusReport(ctx, "delivered")
			case rejectedForGood(err):
				q.met.statusReport(ctx, "rejected")
				q.log.Warn("the WFM rejected a status report; dropped it", "deploymentId", rep.DeploymentID, "state", rep.State, "err", err)
				q.errs.record(ctx, ErrorRecord{Kind: "status", DeploymentID: rep.DeploymentID, Code: codeOf(err), Message: err.Error()})
			default:
				q.met.statusReport(ctx, "deferred")
				q.sink.failed(ctx, "status report", err)
				return
			}
			q.dequeue(ctx, e.Key)
		}
		if page.Next == "" {
			return
		}
		opts.After = page.Next
	}
}

// dequeue deletes a delivered report.
func (q *statusQueue) dequeue(ctx context.Context, key string) {
	wctx, cancel := durable(ctx)
	defer cancel()
	if err := q.store.Delete(wctx, key, state.Always()); err != nil {
		q.log.Error("cannot delete a delivered status report; it may be sent twice", "key", key, "err", err)
		return
	}
	q.met.depth.Add(-1)
}

// rejectedForGood reports whether the WFM refused a request in a way that
// retrying the same bytes cannot fix. An rc.3 problem says so itself
// (retryable), and clients must decide from it, not from the status code;
// otherwise the status code decides.
func rejectedForGood(err error) bool {
	var ce *client.Error
	if !errors.As(err, &ce) {
		return false
	}
	if r := ce.Retryable(); r != nil && ce.Status >= 400 && ce.Status < 500 {
		return !*r
	}
	switch ce.Status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusGone,
		http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// commit writes t in one batch, appending its reports to the status queue
// (dropping superseded reports when the queue is full), then tries to
// deliver the queue. ctx may be canceled (the agent stopping): the write
// still happens, under a bounded detached context, because what it records
// has already happened.
func (q *statusQueue) commit(ctx context.Context, t *txn) error {
	if len(t.ops) == 0 && len(t.reports) == 0 {
		return nil
	}
	wctx, cancel := durable(ctx)
	defer cancel()
	ops := t.ops
	var drops []string
	if n := len(t.reports); n > 0 {
		var err error
		drops, err = q.overflow(wctx, t.reports)
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
			ops = append(ops, state.Op{Key: seqKey(prefixQueue, q.next+uint64(i)), Value: b})
		}
		next, _ := json.Marshal(q.next + uint64(n))
		ops = append(ops, state.Op{Key: keyQueueNext, Value: next})
	}
	if _, err := q.store.Batch(wctx, ops); err != nil {
		return fault.Wrap(err, fault.Unavailable, "write the agent state")
	}
	if n := len(t.reports); n > 0 {
		q.next += uint64(n)
		q.met.depth.Add(int64(n - len(drops)))
		for _, r := range t.reports {
			q.log.Info("deployment status", "deploymentId", r.DeploymentID, "state", r.State)
		}
		if len(drops) > 0 {
			q.met.statusDropped(ctx, "queue-full", len(drops))
			q.log.Warn("status queue full: dropped the oldest superseded reports; raise statusQueueMax if the WFM is often unreachable this long",
				"dropped", len(drops), "statusQueueMax", q.cfg.StatusQueueMax)
		}
		if ctx.Err() == nil {
			q.flush(ctx)
		}
	}
	return nil
}
