package compose

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// portYAML publishes the echo server on 127.0.0.1:{{PORT}} and mounts a
// named volume, so a start that fails on the port leaves a Created
// container, the project's network and its volume behind.
const portYAML = `services:
  web:
    image: {{IMAGE}}
    ports:
      - "127.0.0.1:{{PORT}}:8080"
    volumes:
      - data:/data
volumes:
  data: {}
`

// leftovers lists what the engine still holds of c's project, by the
// compose project label: containers (any state), networks and volumes.
func leftovers(t *testing.T, cli *client.Client, c workload.Component) (ctrs, nets, vols []string) {
	t.Helper()
	label := filters.NewArgs(filters.Arg("label", "com.docker.compose.project="+ProjectName(c)))
	for _, ctr := range containers(t, cli, c) {
		ctrs = append(ctrs, strings.Join(ctr.Names, ",")+" ("+ctr.State+")")
	}
	nl, err := cli.NetworkList(t.Context(), network.ListOptions{Filters: label})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nl {
		nets = append(nets, n.Name)
	}
	vl, err := cli.VolumeList(t.Context(), volume.ListOptions{Filters: label})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vl.Volumes {
		vols = append(vols, v.Name)
	}
	return ctrs, nets, vols
}

// backYAML is a first revision that runs: the echo server on a network and
// a volume that portYAML no longer declares.
const backYAML = `services:
  web:
    image: {{IMAGE}}
    networks: [back]
    volumes:
      - old:/data
networks:
  back: {}
volumes:
  old: {}
`

// TestRemoveAfterFailedStartLeavesNothing: Remove of a component whose
// start failed ("address already in use" on a published port, leaving a
// Created container, networks and volumes) leaves no container in any
// state and no network of the project, and with removeVolumes no named
// volume either; without it the named volumes are all that is kept. It
// holds for a failed first install, for a failed upgrade of a revision
// that declared other networks and volumes, and when the provider has lost
// its local record of the project.
func TestRemoveAfterFailedStartLeavesNothing(t *testing.T) {
	cli := dockerClient(t)
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	port := strconv.Itoa(held.Addr().(*net.TCPAddr).Port)
	failing := writePackage(t, "failedstart/compose.yaml", strings.ReplaceAll(portYAML, "{{PORT}}", port))
	running := writePackage(t, "failedstart/v1/compose.yaml", backYAML)

	for i, tc := range []struct {
		name          string
		upgrade       bool // a first revision (backYAML) ran before the failing one
		lostRecord    bool // Remove runs on a provider with an empty workDir
		removeVolumes bool
	}{
		{name: "first install, removeVolumes", removeVolumes: true},
		{name: "first install, volumes kept"},
		{name: "failed upgrade, removeVolumes", upgrade: true, removeVolumes: true},
		{name: "failed upgrade, volumes kept", upgrade: true},
		{name: "no local record, removeVolumes", upgrade: true, lostRecord: true, removeVolumes: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{WorkDir: t.TempDir(), AllowFileURLs: true, RemoveVolumes: tc.removeVolumes}
			p, err := New(cfg, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			c := component(fmt.Sprintf("c0ffee00-0000-4000-8000-0000000001%02d", i), "web", failing, "2", nil)
			cleanupProject(t, c)
			if tc.upgrade {
				v1 := c
				v1.Repository, v1.Revision = running, "1"
				if _, err := p.Apply(t.Context(), v1, nil); err != nil {
					t.Fatalf("Apply of the first revision: %v", err)
				}
			}

			if _, err := p.Apply(t.Context(), c, nil); err == nil {
				t.Fatalf("Apply publishing the held port %s succeeded, want a start failure", port)
			}
			ctrs, nets, vols := leftovers(t, cli, c)
			if len(ctrs) != 1 || !strings.HasSuffix(ctrs[0], "(created)") || len(nets) == 0 || len(vols) == 0 {
				t.Fatalf("the failed start left containers %q, networks %q, volumes %q; want a created container, networks and volumes", ctrs, nets, vols)
			}

			if tc.lostRecord {
				cfg.WorkDir = t.TempDir()
				if p, err = New(cfg, nil, nil); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Remove(t.Context(), c, nil); err != nil {
				t.Fatalf("Remove after a failed start: %v", err)
			}
			ctrs, nets, kept := leftovers(t, cli, c)
			if len(ctrs) != 0 || len(nets) != 0 {
				t.Errorf("after Remove: containers %q, networks %q remain; want none", ctrs, nets)
			}
			slices.Sort(vols)
			slices.Sort(kept)
			switch {
			case tc.removeVolumes && len(kept) != 0:
				t.Errorf("after Remove with removeVolumes: volumes %q remain; want none", kept)
			case !tc.removeVolumes && !slices.Equal(kept, vols):
				t.Errorf("after Remove without removeVolumes: volumes %q; want the named volumes %q kept", kept, vols)
			}
			if _, err := p.Status(t.Context(), c); !fault.Is(err, fault.NotFound) {
				t.Errorf("Status after Remove: %v, want not-found", err)
			}
		})
	}
}
