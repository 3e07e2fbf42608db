package sync

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// uninstall removes a deployment that left the manifest: it reports
// removing, removes every applied component in reverse install order
// (reporting each), then reports removed. Absence from the manifest is the
// only thing that leads here; an artifact the WFM cannot serve never does.
func (rc *reconciler) uninstall(ctx context.Context, rec *deploymentRecord) {
	rc.tried[rec.ID] = true
	applied, err := rc.appliedOf(ctx, rec.ID)
	if err != nil {
		return
	}
	if !rec.removalStarted() {
		rc.log.Info("removing deployment: it is no longer in the manifest", "deploymentId", rec.ID, "name", rec.Name)
		rec.Digest = "" // marks the removal as started
		// The install's failed attempts are about a revision that is no
		// longer wanted: the removal starts with a clean slate.
		rec.Attempts, rec.NextRetry, rec.Permanent, rec.LastError = 0, time.Time{}, false, ""
		for i, c := range rec.Components {
			st := document.StateRemoving
			if _, ok := applied[c.Name]; !ok {
				st = document.StateRemoved // never tried: nothing to remove
			}
			rec.Components[i] = componentState{Name: c.Name, State: st}
		}
		if !rc.save(ctx, rec, nil, nil) {
			return
		}
	}
	for _, a := range inRemovalOrder(applied) {
		if !rc.removeApplied(ctx, rec, a) {
			return
		}
		rec.setComponent(a.Spec.Name, document.StateRemoved, nil)
		if !rc.save(ctx, rec, nil, func(t *txn) error { t.del(appliedKey(rec.ID, a.Spec.Name)); return nil }) {
			return
		}
	}
	if rec.State != document.StateRemoved {
		rec.setAll(document.StateRemoved)
		rc.save(ctx, rec, nil, nil)
	}
	rc.log.Info("deployment removed", "deploymentId", rec.ID, "name", rec.Name)
}

// removeLeftovers removes the components an earlier revision applied that
// the current one no longer lists. A failure fails the deployment.
func (rc *reconciler) removeLeftovers(ctx context.Context, rec *deploymentRecord, applied map[string]appliedRecord) bool {
	for _, a := range inRemovalOrder(applied) {
		if !slices.Contains(rec.Leftovers, a.Spec.Name) {
			continue
		}
		if !rc.removeApplied(ctx, rec, a) {
			return false
		}
		rec.Leftovers = slices.DeleteFunc(rec.Leftovers, func(n string) bool { return n == a.Spec.Name })
		if !rc.save(ctx, rec, nil, func(t *txn) error { t.del(appliedKey(rec.ID, a.Spec.Name)); return nil }) {
			return false
		}
	}
	return true
}

// removeOtherRuntime removes, before anything is installed, the applied
// components of an earlier revision that ran on another provider (the
// deployment moved, e.g., from helm to compose): the new revision's
// provider would not know them, and their markers are about to be
// replaced. It reports whether the deployment can go on.
func (rc *reconciler) removeOtherRuntime(ctx context.Context, rec *deploymentRecord, applied map[string]appliedRecord) bool {
	for _, a := range inRemovalOrder(applied) {
		if rc.runtimes.same(a.Spec.ProfileType, rec.ProfileType) {
			continue
		}
		if !rc.removeApplied(ctx, rec, a) {
			return false
		}
		wctx, cancel := durable(ctx)
		err := rc.store.Delete(wctx, appliedKey(rec.ID, a.Spec.Name), state.Always())
		cancel()
		if err != nil {
			rc.log.Error("cannot write the agent state", "deploymentId", rec.ID, "err", err)
			return false
		}
		delete(applied, a.Spec.Name)
	}
	return true
}

// removeApplied removes one applied component through its provider. On
// failure (not a shutdown) the deployment is failed with REMOVE_FAILED and
// a retry is scheduled. It reports whether the component is gone.
func (rc *reconciler) removeApplied(ctx context.Context, rec *deploymentRecord, a appliedRecord) bool {
	prov, err := rc.runtimes.provider(a.Spec.ProfileType)
	if err == nil {
		start := rc.now()
		rc.log.Info("removing component", "deploymentId", rec.ID, "component", a.Spec.Name)
		err = prov.Remove(ctx, a.Spec, rc.progress(a.Spec))
		result := "ok"
		if err != nil {
			result = string(fault.CodeOf(err))
		}
		rc.met.component(ctx, "remove", result, rc.now().Sub(start))
		if err != nil && ctx.Err() != nil {
			rc.log.Info("removal interrupted by shutdown; it resumes at the next start", "deploymentId", rec.ID, "component", a.Spec.Name)
			return false
		}
	}
	if err == nil {
		return true
	}
	if slices.ContainsFunc(rec.Components, func(c componentState) bool { return c.Name == a.Spec.Name }) {
		rec.setComponent(a.Spec.Name, document.StateFailed, statusError(CodeRemoveFailed, a.Spec.Name, statusMessage(err)))
	}
	rc.scheduleRetry(rec, err)
	rec.Permanent = false // a removal is always retried
	rc.log.Error("component removal failed; retrying later (check the workload runtime)", "deploymentId", rec.ID,
		"component", a.Spec.Name, "err", err, "nextRetry", rec.NextRetry)
	rc.errs.record(ctx, ErrorRecord{Kind: "remove", DeploymentID: rec.ID, Component: a.Spec.Name, Code: CodeRemoveFailed, Message: err.Error()})
	rc.save(ctx, rec, statusError(CodeRemoveFailed, rec.Name, "component "+a.Spec.Name+": "+statusMessage(err)), nil)
	return false
}

// appliedOf reads the applied records of a deployment by component name.
func (rc *reconciler) appliedOf(ctx context.Context, id string) (map[string]appliedRecord, error) {
	entries, err := listAll(ctx, rc.store, appliedPrefix(id))
	if err != nil {
		if ctx.Err() == nil {
			rc.log.Error("cannot read the agent state", "deploymentId", id, "err", err)
		}
		return nil, err
	}
	out := make(map[string]appliedRecord, len(entries))
	for _, e := range entries {
		var a appliedRecord
		if err := json.Unmarshal(e.Value, &a); err != nil {
			rc.log.Error("skipping a corrupt applied-component record", "key", e.Key, "err", err)
			continue
		}
		out[strings.TrimPrefix(e.Key, appliedPrefix(id))] = a
	}
	return out, nil
}

// inRemovalOrder sorts applied components for removal: reverse install order.
func inRemovalOrder(applied map[string]appliedRecord) []appliedRecord {
	out := make([]appliedRecord, 0, len(applied))
	for _, a := range applied {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b appliedRecord) int {
		if a.Order != b.Order {
			return b.Order - a.Order
		}
		return strings.Compare(b.Spec.Name, a.Spec.Name)
	})
	return out
}

// leftovers are the applied components that specs no longer lists.
func leftovers(applied map[string]appliedRecord, specs []workload.Component) []string {
	var out []string
	for name := range applied {
		if !slices.ContainsFunc(specs, func(c workload.Component) bool { return c.Name == name }) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
