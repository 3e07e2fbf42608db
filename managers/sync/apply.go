package sync

import (
	"context"
	"slices"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// install converges one deployment of the target: its components are
// applied one by one in the order listed (those already applied with the
// same spec are skipped), then components an earlier revision had and this
// one dropped are removed. Each state change is committed with its status
// report. A failure stops the deployment (later components depend on
// earlier ones) and schedules a retry; other deployments go on. When ctx
// ends (the agent stopping) the deployment is left where it was, durably,
// and resumes at the next start.
func (rc *reconciler) install(ctx context.Context, ref targetRef, rec *deploymentRecord) {
	e, err := rc.store.Get(ctx, yamlKey(ref.ID))
	if err != nil {
		if ctx.Err() == nil {
			rc.log.Error("cannot read an accepted deployment from the agent state", "deploymentId", ref.ID, "err", err)
		}
		return
	}
	dep, err := document.ParseDeployment(e.Value)
	if err != nil {
		rc.log.Error("an accepted deployment no longer parses; it cannot be installed", "deploymentId", ref.ID, "err", err)
		return
	}
	if rec == nil || rec.Digest != ref.Digest {
		rec = newRecord(dep, ref.Digest, rc.target.Version)
	}
	rc.tried[ref.ID] = true
	specs, err := components(dep, rc.cfg.ApplyTimeout.D())
	if err != nil {
		rc.failAll(ctx, rec, CodeInvalid, fault.Wrap(err, fault.BadRequest, "the deployment cannot be run"))
		return
	}
	prov, err := rc.runtimes.provider(rec.ProfileType)
	if err != nil {
		rc.failAll(ctx, rec, CodeNoProvider, err)
		return
	}
	applied, err := rc.appliedOf(ctx, ref.ID)
	if err != nil {
		return
	}
	if !rc.removeOtherRuntime(ctx, rec, applied) {
		return
	}
	var todo []workload.Component
	for _, s := range specs {
		if a, ok := applied[s.Name]; ok && a.Hash == specHash(s) {
			rec.setComponent(s.Name, document.StateInstalled, nil)
			continue
		}
		rec.setComponent(s.Name, document.StateInstalling, nil)
		todo = append(todo, s)
	}
	rec.Leftovers = leftovers(applied, specs)
	if len(todo) > 0 {
		rc.log.Info("installing deployment", "deploymentId", rec.ID, "name", rec.Name, "components", len(todo), "of", len(specs))
		// With the installing report, mark every component about to be
		// tried that has nothing applied yet as attempted: whatever its
		// Apply leaves behind, even when it fails, is then removed with it.
		attempts := func(t *txn) error {
			for _, s := range todo {
				if _, ok := applied[s.Name]; !ok {
					if err := t.put(appliedKey(rec.ID, s.Name), appliedRecord{Spec: s, Digest: ref.Digest, Order: slices.IndexFunc(specs, func(c workload.Component) bool { return c.Name == s.Name })}); err != nil {
						return err
					}
				}
			}
			return nil
		}
		if !rc.save(ctx, rec, nil, attempts) {
			return
		}
	}
	for i, s := range todo {
		start := rc.now()
		_, err := rc.applyOne(ctx, prov, s)
		if err != nil && ctx.Err() != nil {
			rc.log.Info("install interrupted by shutdown; it resumes at the next start", "deploymentId", rec.ID, "component", s.Name)
			return
		}
		if err != nil {
			rc.componentFailed(ctx, rec, s.Name, errorCode(err, CodeApplyFailed), err, todo[i+1:])
			return
		}
		a := appliedRecord{Spec: s, Hash: specHash(s), ParamsHash: paramsHash(s.Parameters), Digest: ref.Digest,
			Order: slices.IndexFunc(specs, func(c workload.Component) bool { return c.Name == s.Name }), AppliedAt: start.UTC()}
		rec.setComponent(s.Name, document.StateInstalled, nil)
		if !rc.save(ctx, rec, nil, func(t *txn) error { return t.put(appliedKey(rec.ID, s.Name), a) }) {
			return
		}
	}
	if !rc.removeLeftovers(ctx, rec, applied) {
		return
	}
	if rec.State != document.StateInstalled || rec.Error != nil || len(todo) == 0 && rec.Attempts > 0 {
		rec.setAll(document.StateInstalled)
		rc.save(ctx, rec, nil, nil)
	}
	if len(todo) > 0 {
		rc.log.Info("deployment installed", "deploymentId", rec.ID, "name", rec.Name)
	}
}

// applyOne runs one provider Apply under the component's timeout (plus a
// margin, so the provider can report its own timeout first).
func (rc *reconciler) applyOne(ctx context.Context, p workload.Provider, c workload.Component) (workload.Status, error) {
	actx, cancel := context.WithTimeout(ctx, c.Timeout+c.Timeout/10+5*time.Second)
	defer cancel()
	start := rc.now()
	rc.log.Info("applying component", "deploymentId", c.DeploymentID, "component", c.Name, "type", c.ProfileType,
		"repository", c.Repository, "revision", c.Revision, "wait", c.Wait, "timeout", c.Timeout.String())
	st, err := p.Apply(actx, c, rc.progress(c))
	if err == nil && st.Phase == workload.Failed {
		err = fault.New(fault.Internal, "the provider reports the component failed: %s", st.Message)
	}
	if err != nil && ctx.Err() == nil && actx.Err() != nil {
		err = fault.Wrap(err, fault.Timeout, "component %s did not finish within its timeout %s", c.Name, c.Timeout)
	}
	result := "ok"
	if err != nil {
		result = string(fault.CodeOf(err))
	}
	rc.met.component(ctx, "apply", result, rc.now().Sub(start))
	return st, err
}

// progress logs the provider's progress events (pulls, installs, waits).
func (rc *reconciler) progress(c workload.Component) workload.Progress {
	return func(e workload.Event) {
		attrs := []any{"deploymentId", c.DeploymentID, "component", c.Name, "phase", string(e.Phase), "message", e.Message}
		if e.Total > 0 {
			attrs = append(attrs, "done", e.Done, "total", e.Total)
			if e.Done < e.Total {
				rc.log.Debug("workload progress", attrs...)
				return
			}
		}
		rc.log.Info("workload progress", attrs...)
	}
}

// componentFailed marks a component failed with code, the components after
// it pending (not started), the deployment failed, and schedules a retry
// unless the failure is permanent.
func (rc *reconciler) componentFailed(ctx context.Context, rec *deploymentRecord, name, code string, err error, notStarted []workload.Component) {
	rec.setComponent(name, document.StateFailed, statusError(code, name, statusMessage(err)))
	for _, c := range notStarted {
		rec.setComponent(c.Name, document.StatePending, statusError(CodeBlockedByFailure, c.Name, "not started: component "+name+" failed"))
	}
	rc.scheduleRetry(rec, err)
	rc.log.Error("component failed; the deployment is retried later unless the failure is permanent (fix the deployment or the workload runtime)",
		"deploymentId", rec.ID, "component", name, "code", code, "err", err, "permanent", rec.Permanent, "nextRetry", rec.NextRetry)
	rc.errs.record(ctx, ErrorRecord{Kind: "apply", DeploymentID: rec.ID, Component: name, Code: code, Message: err.Error()})
	rc.save(ctx, rec, nil, nil)
}

// failAll fails the whole deployment (every component) with one error,
// e.g. when no provider runs its profile type.
func (rc *reconciler) failAll(ctx context.Context, rec *deploymentRecord, code string, err error) {
	if rec.State == document.StateFailed && rec.Error != nil && rec.Error.Code == code && rec.Permanent {
		return // already reported
	}
	for i := range rec.Components {
		rec.Components[i] = componentState{Name: rec.Components[i].Name, State: document.StateFailed, Error: statusError(code, rec.Components[i].Name, statusMessage(err))}
	}
	rc.scheduleRetry(rec, err)
	rc.log.Error("deployment failed", "deploymentId", rec.ID, "code", code, "err", err)
	rc.errs.record(ctx, ErrorRecord{Kind: "apply", DeploymentID: rec.ID, Code: code, Message: err.Error()})
	rc.save(ctx, rec, statusError(code, rec.Name, statusMessage(err)), nil)
}

// scheduleRetry counts a failed attempt and sets when to try again.
func (rc *reconciler) scheduleRetry(rec *deploymentRecord, err error) {
	rec.Attempts++
	rec.Permanent = permanentFailure(err)
	rec.LastError = err.Error()
	rec.NextRetry = rc.now().Add(retryDelay(rc.cfg.PollInterval.D(), rc.cfg.BackoffMax.D(), rec.Attempts)).UTC()
}

// save settles rec (overall error: overall) and commits it with its status
// report and the extra writes. A deployment that reaches installed or
// removed without an overall error forgets its failed attempts. It reports
// whether the write succeeded.
func (rc *reconciler) save(ctx context.Context, rec *deploymentRecord, overall *document.StatusError, extra func(*txn) error) bool {
	rec.settle(overall, rc.now())
	if rec.State == document.StateRemoved && rec.RemovedAt.IsZero() {
		rec.RemovedAt = rc.now().UTC()
	}
	if (rec.State == document.StateInstalled || rec.State == document.StateRemoved) && overall == nil {
		rec.Attempts, rec.NextRetry, rec.Permanent, rec.LastError = 0, time.Time{}, false, ""
	}
	t := &txn{rc3: rc.cfg.Profile == ProfileRC3}
	if extra != nil {
		if err := extra(t); err != nil {
			rc.log.Error("cannot encode the agent state", "deploymentId", rec.ID, "err", err)
			return false
		}
	}
	if err := t.record(rec, rc.now()); err != nil {
		rc.log.Error("cannot build a status report", "deploymentId", rec.ID, "err", err)
		return false
	}
	if err := rc.queue.commit(ctx, t); err != nil {
		rc.log.Error("cannot write the agent state; the step is retried (is the disk full?)", "deploymentId", rec.ID, "err", err)
		return false
	}
	return true
}
