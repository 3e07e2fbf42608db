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

// reconcile converges the device toward the accepted target: first the
// deployments that left the manifest are removed (freeing what they held),
// then new and changed ones are installed, in manifest order. Deployments
// that are installed (or failed and not due for a retry) cost one record
// read each. A pass that finds nothing to do records the target's version
// as reconciled.
func (m *Manager) reconcile(ctx context.Context) {
	recs, err := m.records(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.log.Error("cannot read the deployment records; the reconcile is retried", "err", err)
		}
		return
	}
	now := m.now()
	m.deployRetry = time.Time{}
	wanted := make(map[string]bool, len(m.target.Deployments))
	for _, r := range m.target.Deployments {
		wanted[r.ID] = true
	}
	settled := true
	for _, rec := range sortedRecords(recs) {
		if wanted[rec.ID] {
			continue
		}
		if rec.State == document.StateRemoved {
			if now.Sub(rec.RemovedAt) > keepRemoved {
				m.prune(ctx, rec.ID)
			}
			continue
		}
		settled = false // a removal to do, now or at its retry
		if m.removalDue(rec, now) {
			m.uninstall(ctx, rec)
		}
		if ctx.Err() != nil {
			return
		}
	}
	for _, ref := range m.target.Deployments {
		rec := recs[ref.ID]
		if rec != nil && rec.Digest == ref.Digest && rec.State == document.StateInstalled && len(rec.Leftovers) == 0 {
			continue
		}
		if rec == nil || rec.Digest != ref.Digest || m.due(rec, now) {
			m.install(ctx, ref, rec)
			settled = false // confirmed by the next pass, which finds nothing to do
		}
		if ctx.Err() != nil {
			return
		}
	}
	if settled {
		m.markReconciled(ctx)
	}
}

// due reports whether a deployment may be worked on now: always, unless
// its last attempt failed; then when its retry time has come, or, for a
// permanent failure, once after each start of the agent. It also keeps the
// earliest future retry for the loop's wait.
func (m *Manager) due(rec *deploymentRecord, now time.Time) bool {
	if rec.Attempts == 0 {
		return true
	}
	if rec.Permanent {
		return !m.tried[rec.ID]
	}
	if now.Before(rec.NextRetry) {
		if m.deployRetry.IsZero() || rec.NextRetry.Before(m.deployRetry) {
			m.deployRetry = rec.NextRetry
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
func (m *Manager) removalDue(rec *deploymentRecord, now time.Time) bool {
	if !rec.removalStarted() {
		return true
	}
	return m.due(rec, now)
}

// nextDeploymentRetry is the earliest scheduled deployment retry (zero: none).
func (m *Manager) nextDeploymentRetry() time.Time { return m.deployRetry }

// markReconciled records that the target's version is fully worked through.
func (m *Manager) markReconciled(ctx context.Context) {
	if m.reconciled == m.target.Version {
		return
	}
	b, _ := json.Marshal(m.target.Version)
	wctx, cancel := durable(ctx)
	defer cancel()
	if _, err := m.store.Put(wctx, keyReconciled, b, state.Always()); err != nil {
		m.log.Error("cannot record the reconciled version", "err", err)
		return
	}
	m.reconciled = m.target.Version
	m.log.Info("desired state reconciled", "manifestVersion", m.target.Version, "deployments", len(m.target.Deployments))
}

// prune forgets a deployment removed long ago.
func (m *Manager) prune(ctx context.Context, id string) {
	if err := m.store.Delete(ctx, deployKey(id), state.Always()); err != nil && ctx.Err() == nil {
		m.log.Warn("cannot prune the record of a removed deployment", "deploymentId", id, "err", err)
	}
}

// records reads every deployment record by id.
func (m *Manager) records(ctx context.Context) (map[string]*deploymentRecord, error) {
	entries, err := listAll(ctx, m.store, prefixDeploy)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*deploymentRecord, len(entries))
	for _, e := range entries {
		rec, err := decodeRecord(e.Value)
		if err != nil {
			m.log.Error("skipping a corrupt deployment record", "key", e.Key, "err", err)
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
