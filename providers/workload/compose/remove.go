package compose

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/compose/v2/pkg/api"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// Remove runs "compose down" for c (named volumes kept unless
// removeVolumes), then removes by the project label whatever of the project
// the engine still holds, and deletes its directory. Removing an absent
// component succeeds; a successful Remove leaves no container (in any
// state) and no network of the project, and no named volume either with
// removeVolumes.
//
// Down runs on the project reloaded from its stored package when there is
// one. Without it, compose rebuilds the project from the containers' labels;
// with no container left, compose-go v2.9.1 races on the empty project
// (Project.WithServicesTransform), so Down is skipped then.
//
// Down alone is not enough: on the stored project it removes only the
// networks and volumes that project declares, so what an earlier revision
// created and the last (maybe failed) Apply no longer declares survived it;
// and it reports a network still in use as a warning, not an error. The
// sweep after it lists by label and fails when something cannot be removed.
func (p *Provider) Remove(ctx context.Context, c workload.Component, progress workload.Progress) error {
	if err := ctx.Err(); err != nil {
		return fault.Wrap(err, fault.Canceled, "remove %s", c.Name)
	}
	name := ProjectName(c)
	unlock := p.lock(name)
	defer unlock()
	ev := newEventWriter(c.Name, workload.Removing, progress)
	defer ev.close()
	ev.emit("compose down "+name, 0, 0)
	svc, cli, err := p.service(ev)
	if err != nil {
		return err
	}
	defer cli.Client().Close()
	project := p.storedProject(ctx, name)
	down := project != nil
	if !down {
		list, err := svc.Ps(ctx, name, api.PsOptions{All: true})
		if err != nil {
			return classify(ctx, nil, err, "list containers of "+c.Name)
		}
		down = len(list) > 0
	}
	if down {
		err = svc.Down(ctx, name, api.DownOptions{Project: project, RemoveOrphans: true, Volumes: p.cfg.RemoveVolumes})
		if err != nil {
			return classify(ctx, nil, err, "compose down of "+c.Name)
		}
	}
	if err := p.sweep(ctx, cli.Client(), name); err != nil {
		return classify(ctx, nil, err, "remove what is left of "+c.Name)
	}
	if err := os.RemoveAll(p.projectDir(name)); err != nil {
		return fault.Wrap(err, fault.Internal, "remove the directory of %s", name)
	}
	p.log.Info("compose project removed", "project", name, "component", c.Name, "volumes", p.cfg.RemoveVolumes)
	ev.emit("removed", 0, 0)
	return nil
}

// storedProject reloads the project from its stored package and
// parameters; nil when there is none or it no longer loads.
func (p *Provider) storedProject(ctx context.Context, name string) *types.Project {
	rec, ok, err := p.readRecord(name)
	if err != nil || !ok {
		return nil
	}
	file, err := findComposeFile(filepath.Join(p.projectDir(name), "package"))
	if err != nil {
		return nil
	}
	project, err := loadProject(ctx, file, name, rec.Params)
	if err != nil {
		p.log.Warn("stored compose package no longer loads; removing by labels", "project", name, "err", err)
		return nil
	}
	return project
}

// sweep removes what the engine still holds of the project, found by its
// compose project label: containers in any state (with their anonymous
// volumes when removeVolumes is set), networks, and named volumes when
// removeVolumes is set. Anything it cannot remove is an error.
func (p *Provider) sweep(ctx context.Context, cli client.APIClient, name string) error {
	label := filters.NewArgs(filters.Arg("label", api.ProjectLabel+"="+name))
	ctrs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: label})
	if err != nil {
		return err
	}
	for _, ctr := range ctrs {
		err := cli.ContainerRemove(ctx, ctr.ID, container.RemoveOptions{Force: true, RemoveVolumes: p.cfg.RemoveVolumes})
		switch {
		case err == nil:
			p.log.Warn("removed a container compose down left behind", "project", name, "container", ctr.Names, "state", ctr.State)
		case !client.IsErrNotFound(err):
			return fmt.Errorf("remove container %s: %w", strings.Join(ctr.Names, ","), err)
		}
	}
	nets, err := cli.NetworkList(ctx, network.ListOptions{Filters: label})
	if err != nil {
		return err
	}
	for _, n := range nets {
		if err := cli.NetworkRemove(ctx, n.ID); err != nil && !client.IsErrNotFound(err) {
			return fmt.Errorf("remove network %s: %w", n.Name, err)
		}
	}
	if !p.cfg.RemoveVolumes {
		return nil
	}
	vols, err := cli.VolumeList(ctx, volume.ListOptions{Filters: label})
	if err != nil {
		return err
	}
	for _, v := range vols.Volumes {
		if err := cli.VolumeRemove(ctx, v.Name, false); err != nil && !client.IsErrNotFound(err) {
			return fmt.Errorf("remove volume %s: %w", v.Name, err)
		}
	}
	return nil
}
