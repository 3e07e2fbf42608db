package helm

import (
	"context"
	"strconv"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/release"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// Details keys besides workload.DetailGeneration.
const (
	DetailRelease   = "release"
	DetailNamespace = "namespace"
	DetailChart     = "chart"
	DetailStatus    = "helmStatus"
)

// Status reports c's release: deployed is installed, failed is failed,
// pending-* is installing, uninstalling is removing; fault.NotFound when
// there is no release.
func (p *Provider) Status(ctx context.Context, c workload.Component) (workload.Status, error) {
	rel, err := p.Release(ctx, c)
	if err != nil {
		return workload.Status{}, err
	}
	return statusOf(rel), nil
}

// Release returns the last revision of c's Helm release (its manifest,
// values and chart), or fault.NotFound. With the memory driver the
// returned release is shared with Helm's storage: read it, never change it.
func (p *Provider) Release(ctx context.Context, c workload.Component) (*release.Release, error) {
	if err := ctx.Err(); err != nil {
		return nil, canceled(ctx, "status of "+c.Name)
	}
	name, ns := ReleaseName(c), namespace(c)
	cfg, err := p.actionConfig(ns)
	if err != nil {
		return nil, err
	}
	if p.sharedRecords() { // the memory driver hands out the records Helm changes: wait for a running operation
		unlock, err := p.lock(ctx, ns+"/"+name)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	rel, err := cfg.Releases.Last(name)
	switch {
	case notFound(err):
		return nil, fault.Wrap(err, fault.NotFound, "%s of component %q is not installed", describe(ns, name), c.Name)
	case err != nil:
		return nil, helmFault(err, "read "+describe(ns, name))
	case rel.Info == nil || rel.Info.Status == release.StatusUninstalled:
		return nil, fault.New(fault.NotFound, "%s of component %q is not installed", describe(ns, name), c.Name)
	}
	return rel, nil
}

// sharedRecords reports whether release records live in memory.
func (p *Provider) sharedRecords() bool { return p.cfg.Fake || p.cfg.Driver == "memory" }

// Remove uninstalls c's release (history included); an absent release is
// not an error.
func (p *Provider) Remove(ctx context.Context, c workload.Component, progress workload.Progress) error {
	if err := ctx.Err(); err != nil {
		return canceled(ctx, "remove "+c.Name)
	}
	name, ns := ReleaseName(c), namespace(c)
	cfg, err := p.actionConfig(ns)
	if err != nil {
		return err
	}
	unlock, err := p.lock(ctx, ns+"/"+name)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		unlock()
		return canceled(ctx, "remove "+c.Name)
	}
	if _, err := cfg.Releases.Last(name); notFound(err) {
		unlock()
		return nil
	}
	emit(progress, c, workload.Removing, "uninstalling "+describe(ns, name), 0, 1)
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = p.cfg.DefaultTimeout.D()
	}
	done := make(chan error, 1)
	go func() { // runs to completion even when ctx ends; holds the lock until then
		defer unlock()
		u := action.NewUninstall(cfg)
		u.IgnoreNotFound, u.Wait, u.Timeout = true, c.Wait, timeout
		_, err := u.Run(name)
		if err != nil && notFound(err) {
			err = nil
		}
		p.log.Info("helm uninstall done", "release", name, "namespace", ns, "err", err)
		done <- err
	}()
	select {
	case <-ctx.Done():
		return canceled(ctx, "uninstall "+describe(ns, name)+" (it goes on in the background)")
	case err := <-done:
		if err != nil {
			return helmFault(err, "uninstall "+describe(ns, name))
		}
		emit(progress, c, workload.Removed, describe(ns, name)+" uninstalled", 1, 1)
		return nil
	}
}

// statusOf maps a release to a component status.
func statusOf(rel *release.Release) workload.Status {
	s := workload.Status{Details: map[string]string{
		workload.DetailGeneration: strconv.Itoa(rel.Version),
		DetailRelease:             rel.Name,
		DetailNamespace:           rel.Namespace,
	}}
	if rel.Chart != nil && rel.Chart.Metadata != nil {
		s.Revision = rel.Chart.Metadata.Version
		s.Details[DetailChart] = rel.Chart.Name()
	}
	if rel.Info == nil {
		s.Phase = workload.Pending
		return s
	}
	s.Message = rel.Info.Description
	s.Details[DetailStatus] = string(rel.Info.Status)
	switch st := rel.Info.Status; {
	case st == release.StatusDeployed || st == release.StatusSuperseded:
		s.Phase = workload.Installed
	case st == release.StatusFailed:
		s.Phase = workload.Failed
	case st.IsPending():
		s.Phase = workload.Installing
	case st == release.StatusUninstalling:
		s.Phase = workload.Removing
	case st == release.StatusUninstalled:
		s.Phase = workload.Removed
	default:
		s.Phase = workload.Pending
	}
	return s
}
