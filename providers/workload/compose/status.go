package compose

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/docker/compose/v2/pkg/api"
	"github.com/docker/docker/client"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// Detail keys of Status.Details besides workload.DetailGeneration.
const (
	DetailProject    = "project"    // the compose project name
	DetailContainers = "containers" // comma-separated short container ids
)

// Status reports c from its containers: NotFound when the project has
// none; installed when every container runs (healthy, if it has a health
// check) or exited 0 (one-shot jobs); installing while a health check is
// still starting; failed otherwise, or when the last Apply failed.
func (p *Provider) Status(ctx context.Context, c workload.Component) (workload.Status, error) {
	if err := ctx.Err(); err != nil {
		return workload.Status{}, fault.Wrap(err, fault.Canceled, "status of %s", c.Name)
	}
	name := ProjectName(c)
	rec, had, err := p.readRecord(name)
	if err != nil {
		return workload.Status{}, err
	}
	return p.status(ctx, name, rec, had)
}

// status lists the project's containers and folds them into a status.
func (p *Provider) status(ctx context.Context, name string, rec record, had bool) (workload.Status, error) {
	svc, cli, err := p.service(nil)
	if err != nil {
		return workload.Status{}, err
	}
	defer cli.Client().Close()
	containers, err := svc.Ps(ctx, name, api.PsOptions{All: true})
	if err != nil {
		return workload.Status{}, classify(ctx, nil, err, "list containers of "+name)
	}
	if len(containers) == 0 {
		return workload.Status{}, fault.New(fault.NotFound, "compose project %s has no containers", name)
	}
	st := workload.Status{Revision: rec.Revision, Details: details(rec, containers)}
	st.Details[DetailProject] = name
	if !had {
		st.Phase, st.Message = workload.Failed, "containers exist but the provider has no record of the project (re-apply it)"
		return st, nil
	}
	st.Phase, st.Message = phaseOf(containers)
	switch {
	case rec.Failed == interrupted && p.busy(name):
		st.Phase, st.Message = workload.Installing, "apply in progress: "+st.Message
	case rec.Failed != "":
		st.Phase, st.Message = workload.Failed, rec.Failed
	}
	return st, nil
}

// phaseOf folds container states into a phase and a message.
func phaseOf(containers []api.ContainerSummary) (workload.Phase, string) {
	ok, starting := 0, 0
	var bad []string
	for _, c := range containers {
		switch {
		case c.State == "running" && c.Health == "starting":
			starting++
		case c.State == "running" && c.Health == "unhealthy":
			bad = append(bad, c.Name+" unhealthy")
		case c.State == "running", c.State == "exited" && c.ExitCode == 0:
			ok++
		case c.State == "exited":
			bad = append(bad, fmt.Sprintf("%s exited (%d)", c.Name, c.ExitCode))
		default:
			bad = append(bad, c.Name+" "+c.State)
		}
	}
	msg := fmt.Sprintf("%d/%d containers running", ok, len(containers))
	switch {
	case len(bad) > 0:
		return workload.Failed, msg + ": " + strings.Join(bad, ", ")
	case starting > 0:
		return workload.Installing, fmt.Sprintf("%s, %d starting", msg, starting)
	}
	return workload.Installed, msg
}

// details are a status's Details: the generation and the container ids.
func details(rec record, containers []api.ContainerSummary) map[string]string {
	d := map[string]string{workload.DetailGeneration: strconv.FormatUint(rec.Generation, 10)}
	if len(containers) > 0 {
		ids := make([]string, len(containers))
		for i, c := range containers {
			ids[i] = c.ID[:min(12, len(c.ID))]
		}
		d[DetailContainers] = strings.Join(ids, ",")
	}
	return d
}

// classify gives err a fault code: Canceled when ctx was canceled, Timeout
// when waitCtx (the Wait bound) expired or compose gave up waiting,
// Unavailable when the engine is unreachable, NotFound for images that do
// not exist; errors that already carry a code keep it.
func classify(ctx, waitCtx context.Context, err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(ctx.Err(), context.Canceled):
		return fault.Wrap(ctx.Err(), fault.Canceled, "%s", what)
	case waitCtx != nil && errors.Is(waitCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil,
		strings.Contains(err.Error(), "not healthy after"):
		return fault.Wrap(err, fault.Timeout, "%s: not running within the timeout", what)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fault.Wrap(ctx.Err(), fault.Timeout, "%s", what)
	case fault.As(err).Code != fault.Internal || errors.As(err, new(*fault.Error)):
		return fault.Wrap(err, fault.CodeOf(err), "%s", what)
	case client.IsErrConnectionFailed(err):
		return fault.Wrap(err, fault.Unavailable, "%s: Docker engine not reachable", what)
	case isMissingImage(err):
		return fault.Wrap(err, fault.NotFound, "%s", what)
	}
	return fault.Wrap(err, fault.Internal, "%s", what)
}

func isMissingImage(err error) bool {
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"pull access denied", "manifest unknown", "not found", "no such image"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
