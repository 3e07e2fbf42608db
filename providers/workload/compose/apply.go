package compose

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/compose/v2/pkg/api"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// interrupted is the failure a record carries while compose runs: a crash
// in the middle leaves the component failed until the next Apply.
const interrupted = "apply in progress or interrupted"

// Apply installs or upgrades c: fetch (and verify) its package, load it,
// and "compose up" (waiting for every container to run when c.Wait, within
// c.Timeout or the default timeout). An identical Apply recreates nothing
// and keeps the generation.
func (p *Provider) Apply(ctx context.Context, c workload.Component, progress workload.Progress) (workload.Status, error) {
	if err := ctx.Err(); err != nil {
		return workload.Status{}, fault.Wrap(err, fault.Canceled, "apply %s", c.Name)
	}
	if c.ProfileType != "" && c.ProfileType != ProfileType {
		return workload.Status{}, fault.New(fault.BadRequest, "workload.compose runs profile type %q, not %q", ProfileType, c.ProfileType)
	}
	name := ProjectName(c)
	unlock := p.lock(name)
	defer unlock()
	ev := newEventWriter(c.Name, workload.Installing, progress)
	defer ev.close()
	log := p.log.With("project", name, "component", c.Name, "revision", c.Revision)

	params, err := envParams(c.Parameters)
	if err != nil {
		return workload.Status{}, err
	}
	pkg, err := p.fetchPackage(ctx, c, ev, log)
	if err != nil {
		log.Warn("compose package unavailable", "location", c.Repository, "err", err)
		return workload.Status{}, classify(ctx, nil, err, "fetch package of "+c.Name)
	}

	rec, had, err := p.readRecord(name)
	if err != nil {
		return workload.Status{}, err
	}
	digest := inputDigest(pkg, c.Revision, params)
	file, err := p.stage(name, pkg, had && rec.Digest == digest)
	if err != nil {
		return workload.Status{}, err
	}
	project, err := loadProject(ctx, file, name, params)
	if err != nil {
		return workload.Status{}, classify(ctx, nil, err, "load compose package of "+c.Name)
	}
	if !had || rec.Digest != digest {
		rec.Generation++
		rec.Digest = digest
	}
	rec.Revision, rec.Failed, rec.Params = c.Revision, interrupted, params
	if err := p.writeRecord(name, rec); err != nil {
		return workload.Status{}, err
	}

	log.Info("compose up", "generation", rec.Generation, "wait", c.Wait)
	if err := p.up(ctx, c, project, ev); err != nil {
		rec.Failed = err.Error()
		if werr := p.writeRecord(name, rec); werr != nil {
			log.Error("cannot record the failure", "err", werr)
		}
		log.Warn("compose up failed", "err", err)
		return failedStatus(rec, err), err
	}
	rec.Failed = ""
	if err := p.writeRecord(name, rec); err != nil {
		return failedStatus(rec, err), err
	}
	st, err := p.status(ctx, name, rec, true)
	if err != nil {
		return failedStatus(rec, err), err
	}
	ev.emit("installed: "+st.Message, 0, 0)
	return st, nil
}

// fetchPackage returns c's package: pulled through the artifacts provider
// for an oci:// location, fetched otherwise; its signature checked when c
// names a key.
func (p *Provider) fetchPackage(ctx context.Context, c workload.Component, ev *eventWriter, log *slog.Logger) ([]byte, error) {
	if isOCI(c.Repository) {
		return p.pull(ctx, c, ev, log)
	}
	ev.emit("fetching "+c.Repository, 0, 0)
	pkg, err := p.fetch(ctx, c.Repository)
	if err == nil && c.KeyLocation != "" {
		ev.emit("verifying the package signature", 0, 0)
		err = p.verifySignature(ctx, pkg, c.Repository, c.KeyLocation)
	}
	return pkg, err
}

// up runs compose up for project, bounded by the component's timeout when
// it waits.
func (p *Provider) up(ctx context.Context, c workload.Component, project *types.Project, ev *eventWriter) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = p.cfg.DefaultTimeout.D()
	}
	upCtx := ctx
	if c.Wait {
		var cancel context.CancelFunc
		upCtx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	svc, cli, err := p.service(ev)
	if err != nil {
		return err
	}
	defer cli.Client().Close()
	opts := api.UpOptions{
		Create: api.CreateOptions{
			RemoveOrphans:        true,
			Recreate:             api.RecreateDiverged,
			RecreateDependencies: api.RecreateDiverged,
			Inherit:              true,
		},
		Start: api.StartOptions{Project: project, Wait: c.Wait, WaitTimeout: timeout},
	}
	start := time.Now()
	err = svc.Up(upCtx, project, opts)
	if err == nil && c.Wait && upCtx.Err() != nil {
		// compose's wait loop returns nil when its context ends: a wait
		// that ran out of time is not a success.
		err = fmt.Errorf("not running after %s: %w", timeout, upCtx.Err())
	}
	if err != nil {
		return classify(ctx, upCtx, err, "compose up of "+c.Name)
	}
	p.log.Debug("compose up done", "project", project.Name, "took", time.Since(start))
	return nil
}

// stage makes workDir/<project>/package hold pkg and returns its compose
// file. When same is true and the package is already there, it is reused.
func (p *Provider) stage(project string, pkg []byte, same bool) (string, error) {
	dir := p.projectDir(project)
	current := filepath.Join(dir, "package")
	if same {
		if file, err := findComposeFile(current); err == nil {
			return file, nil
		}
	}
	incoming := filepath.Join(dir, "incoming")
	if err := os.RemoveAll(incoming); err != nil {
		return "", fault.Wrap(err, fault.Internal, "clear %s", incoming)
	}
	if err := os.MkdirAll(incoming, 0o750); err != nil {
		return "", fault.Wrap(err, fault.Internal, "create %s", incoming)
	}
	if _, err := unpack(pkg, incoming, p.cfg.MaxUnpackedSize); err != nil {
		_ = os.RemoveAll(incoming)
		return "", err
	}
	if err := os.RemoveAll(current); err != nil {
		return "", fault.Wrap(err, fault.Internal, "clear %s", current)
	}
	if err := os.Rename(incoming, current); err != nil {
		return "", fault.Wrap(err, fault.Internal, "install package into %s", current)
	}
	return findComposeFile(current)
}

// failedStatus is the status of a failed Apply.
func failedStatus(rec record, err error) workload.Status {
	return workload.Status{Phase: workload.Failed, Message: err.Error(), Revision: rec.Revision, Details: details(rec, nil)}
}
