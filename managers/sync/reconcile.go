package sync

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// keepRemoved is how long the record of a removed deployment stays
// visible in the local API.
const keepRemoved = 24 * time.Hour

// reconciler converges the device toward the accepted target through the
// workload providers, one state change at a time, each committed with its
// status report (through the queue). It needs nothing of the WFM.
type reconciler struct {
	*base
	queue      *statusQueue
	runtimes   runtimes
	target     target          // of the current pass
	retryAt    time.Time       // earliest scheduled deployment retry
	tried      map[string]bool // deployments worked on since start
	reconciled uint64          // version whose reconcile pass finished
}

// load reads the reconciled version at start.
func (rc *reconciler) load(ctx context.Context) error {
	_, _, err := getJSON(ctx, rc.store, keyReconciled, &rc.reconciled)
	return err
}

// reconcile converges the device toward the accepted target t: first the
// deployments that left the manifest are removed (freeing what they held),
// then new and changed ones are installed, in manifest order. Deployments
// that are installed (or failed and not due for a retry) cost one record
// read each. A pass that finds nothing to do records the target's version
// as reconciled.
func (rc *reconciler) reconcile(ctx context.Context, t target) {
	rc.target = t
	recs, err := rc.records(ctx)
	if err != nil {
		if ctx.Err() == nil {
			rc.log.Error("cannot read the deployment records; the reconcile is retried", "err", err)
		}
		return
	}
	now := rc.now()
	rc.retryAt = time.Time{}
	wanted := make(map[string]bool, len(rc.target.Deployments))
	for _, r := range rc.target.Deployments {
		wanted[r.ID] = true
	}
	settled := true
	for _, rec := range sortedRecords(recs) {
		if wanted[rec.ID] {
			continue
		}
		if rec.State == document.StateRemoved {
			if now.Sub(rec.RemovedAt) > keepRemoved {
				rc.prune(ctx, rec.ID)
			}
			continue
		}
		settled = false // a removal to do, now or at its retry
		if rc.removalDue(rec, now) {
			rc.uninstall(ctx, rec)
		}
		if ctx.Err() != nil {
			return
		}
	}
	for _, ref := range rc.target.Deployments {
		rec := recs[ref.ID]
		if rec != nil && rec.Digest == ref.Digest && rec.State == document.StateInstalled && len(rec.Leftovers) == 0 {
			continue
		}
		if rec == nil || rec.Digest != ref.Digest || rc.due(rec, now) {
			rc.install(ctx, ref, rec)
			settled = false // confirmed by the next pass, which finds nothing to do
		}
		if ctx.Err() != nil {
			return
		}
	}
	if settled {
		rc.markReconciled(ctx)
	}
}

// due reports whether a deployment may be worked on now: always, unless
// its last attempt failed; then when its retry time has come, or, for a
// permanent failure, once after each start of the agent. It also keeps the
// earliest future retry for the loop's wait.
func (rc *reconciler) due(rec *deploymentRecord, now time.Time) bool {
	if rec.Attempts == 0 {
		return true
	}
	if rec.Permanent {
		return !rc.tried[rec.ID]
	}
	if now.Before(rec.NextRetry) {
		if rc.retryAt.IsZero() || rec.NextRetry.Before(rc.retryAt) {
			rc.retryAt = rec.NextRetry
		}
		return false
	}
	return true
}

// removalDue reports whether the removal of a deployment that left the
// manifest may run now: at once when it has not started (however its
// install attempts failed: their backoff and a permanent failure are about
// an install that is no longer wanted), otherwise when a failed removal's
// retry time has come.
func (rc *reconciler) removalDue(rec *deploymentRecord, now time.Time) bool {
	if !rec.removalStarted() {
		return true
	}
	return rc.due(rec, now)
}

// nextDeploymentRetry is the earliest scheduled deployment retry (zero: none).
func (rc *reconciler) nextDeploymentRetry() time.Time { return rc.retryAt }

// markReconciled records that the target's version is fully worked through.
func (rc *reconciler) markReconciled(ctx context.Context) {
	if rc.reconciled == rc.target.Version {
		return
	}
	b, _ := json.Marshal(rc.target.Version)
	wctx, cancel := durable(ctx)
	defer cancel()
	if _, err := rc.store.Put(wctx, keyReconciled, b, state.Always()); err != nil {
		rc.log.Error("cannot record the reconciled version", "err", err)
		return
	}
	rc.reconciled = rc.target.Version
	rc.log.Info("desired state reconciled", "manifestVersion", rc.target.Version, "deployments", len(rc.target.Deployments))
}

// prune forgets a deployment removed long ago.
func (rc *reconciler) prune(ctx context.Context, id string) {
	if err := rc.store.Delete(ctx, deployKey(id), state.Always()); err != nil && ctx.Err() == nil {
		rc.log.Warn("cannot prune the record of a removed deployment", "deploymentId", id, "err", err)
	}
}

// records reads every deployment record by id.
func (rc *reconciler) records(ctx context.Context) (map[string]*deploymentRecord, error) {
	entries, err := listAll(ctx, rc.store, prefixDeploy)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*deploymentRecord, len(entries))
	for _, e := range entries {
		rec, err := decodeRecord(e.Value)
		if err != nil {
			rc.log.Error("skipping a corrupt deployment record", "key", e.Key, "err", err)
			continue
		}
		out[strings.TrimPrefix(e.Key, prefixDeploy)] = rec
	}
	return out, nil
}

// sortedRecords returns the records in id order.
func sortedRecords(recs map[string]*deploymentRecord) []*deploymentRecord {
	out := make([]*deploymentRecord, 0, len(recs))
	for _, r := range recs {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *deploymentRecord) int { return strings.Compare(a.ID, b.ID) })
	return out
}
