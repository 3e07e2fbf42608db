package helm

import (
	"context"
	"slices"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// maxHistory bounds the revisions Helm keeps per release.
const maxHistory = 10

// plan is what Apply decided to do with a release.
type plan int

const (
	planNothing plan = iota
	planInstall
	planUpgrade
	planReinstall // an uninstall left behind: remove it, then install
)

// Apply installs or upgrades c's release, or does nothing when the last
// deployed revision has the same chart version, source and values.
func (p *Provider) Apply(ctx context.Context, c workload.Component, progress workload.Progress) (workload.Status, error) {
	if err := ctx.Err(); err != nil {
		return workload.Status{}, canceled(ctx, "apply "+c.Name)
	}
	if !slices.Contains(p.Types(), c.ProfileType) {
		return workload.Status{}, fault.New(fault.BadRequest, "%s does not run profile type %q", ID, c.ProfileType)
	}
	name, ns := ReleaseName(c), namespace(c)
	vals, err := Values(c.Parameters)
	if err != nil {
		return workload.Status{}, err
	}
	emit(progress, c, workload.Installing, "pulling chart "+c.Repository+" "+c.Revision, 0, 0)
	ch, digest, err := p.pullChart(ctx, c, progress)
	if err != nil {
		return workload.Status{}, err
	}
	if err := checkVersion(ch, c); err != nil {
		return workload.Status{}, err
	}
	cfg, err := p.actionConfig(ns)
	if err != nil {
		return workload.Status{}, err
	}
	unlock, err := p.lock(ctx, ns+"/"+name)
	if err != nil {
		return workload.Status{}, err
	}
	if err := ctx.Err(); err != nil {
		unlock()
		return workload.Status{}, canceled(ctx, "apply "+c.Name)
	}
	source := "cadenza: " + c.Repository + " " + c.Revision
	last, what, err := decide(cfg, name, ch, vals, source)
	if err != nil {
		unlock()
		return workload.Status{}, helmFault(err, "read "+describe(ns, name))
	}
	if what == planNothing {
		defer unlock()
		p.log.Debug("release up to date", "release", name, "namespace", ns, "revision", last.Version)
		emit(progress, c, workload.Installed, describe(ns, name)+" is up to date", 1, 1)
		return statusOf(last), nil
	}
	emit(progress, c, workload.Installing, verb(what)+" "+describe(ns, name), 0, 1)
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = p.cfg.DefaultTimeout.D()
	}
	done := make(chan opResult, 1)
	go func() { // runs to completion even when ctx ends; holds the lock until then
		defer unlock()
		r := p.run(cfg, what, name, ns, ch, vals, c.Wait, timeout, source)
		if r.err != nil {
			p.log.Warn("helm operation failed", "release", name, "namespace", ns, "op", verb(what), "err", r.err)
		} else {
			p.log.Info("helm operation done", "release", name, "namespace", ns, "op", verb(what), "revision", r.rel.Version, "chart", ch.Name(), "version", ch.Metadata.Version, "digest", digest)
		}
		done <- r
	}()
	select {
	case <-ctx.Done():
		return workload.Status{}, canceled(ctx, verb(what)+" "+describe(ns, name)+" (it goes on in the background)")
	case r := <-done:
		if r.err != nil {
			s := workload.Status{Phase: workload.Failed, Message: r.err.Error()}
			if r.rel != nil {
				s = statusOf(r.rel)
				s.Phase, s.Message = workload.Failed, r.err.Error()
			}
			return s, helmFault(r.err, verb(what)+" "+describe(ns, name))
		}
		emit(progress, c, workload.Installed, describe(ns, name)+" deployed", 1, 1)
		return statusOf(r.rel), nil
	}
}

// decide reads the release's last revision and chooses what to do. A
// revision left pending by an interrupted operation (this provider runs
// one operation per release at a time, so it is stale) is marked failed
// first.
func decide(cfg *action.Configuration, name string, ch *chart.Chart, vals map[string]any, source string) (*release.Release, plan, error) {
	last, err := cfg.Releases.Last(name)
	switch {
	case notFound(err):
		return nil, planInstall, nil
	case err != nil:
		return nil, 0, err
	}
	switch st := last.Info.Status; {
	case st.IsPending():
		last.SetStatus(release.StatusFailed, "interrupted while "+string(st)+"; taken over by "+ID)
		if err := cfg.Releases.Update(last); err != nil {
			return nil, 0, err
		}
		return last, planUpgrade, nil
	case st == release.StatusUninstalling || st == release.StatusUninstalled:
		return last, planReinstall, nil
	case st == release.StatusDeployed && last.Chart != nil && last.Chart.Metadata != nil &&
		last.Chart.Name() == ch.Name() && last.Chart.Metadata.Version == ch.Metadata.Version &&
		last.Info.Description == source && sameValues(last.Config, vals):
		return last, planNothing, nil
	}
	return last, planUpgrade, nil
}

// opResult is the outcome of one Helm operation.
type opResult struct {
	rel *release.Release
	err error
}

// run performs the planned Helm operation without a context: Helm bounds
// its waits and hooks with timeout.
func (p *Provider) run(cfg *action.Configuration, what plan, name, ns string, ch *chart.Chart, vals map[string]any, wait bool, timeout time.Duration, source string) opResult {
	if what == planReinstall {
		u := action.NewUninstall(cfg)
		u.IgnoreNotFound, u.Timeout = true, timeout
		if _, err := u.Run(name); err != nil {
			return opResult{err: err}
		}
		what = planInstall
	}
	if what == planInstall {
		in := action.NewInstall(cfg)
		in.ReleaseName, in.Namespace, in.CreateNamespace = name, ns, true
		in.Wait, in.Timeout, in.Description = wait, timeout, source
		rel, err := in.Run(ch, vals)
		return opResult{rel, err}
	}
	up := action.NewUpgrade(cfg)
	up.Namespace, up.Wait, up.Timeout, up.Description = ns, wait, timeout, source
	up.ResetValues, up.MaxHistory = true, maxHistory
	rel, err := up.Run(name, ch, vals)
	return opResult{rel, err}
}

// verb names a plan in messages.
func verb(what plan) string {
	switch what {
	case planInstall:
		return "installing"
	case planReinstall:
		return "reinstalling"
	case planUpgrade:
		return "upgrading"
	}
	return "keeping"
}
