package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/internal/testimage"
	"github.com/cadenza-edge/cadenza/providers/workload/compose"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
)

const composeDep = "7f3a5b6c-8d9e-4f01-9a23-4b5c6d7e8f90"

// composeYAML is a P1 deployment of one compose component whose GREETING
// comes from the deployment's parameter.
func composeYAML(pkg, greeting string) []byte {
	return []byte(fmt.Sprintf(`apiVersion: application.margo.org/v1alpha1
kind: ApplicationDeployment
metadata:
  annotations:
    id: %s
    applicationId: e2e-echo
  name: e2e-echo
  namespace: e2e
spec:
  deploymentProfile:
    type: compose
    components:
      - name: echo
        properties: {packageLocation: %q, wait: true, timeout: 2m0s}
  parameters:
    greeting:
      value: %q
      targets: [{pointer: GREETING, components: [echo]}]
`, composeDep, pkg, greeting))
}

// echoContainer returns the id and environment of the project's container.
func echoContainer(t *testing.T, cli *client.Client, project string) (string, []string) {
	t.Helper()
	list, err := cli.ContainerList(context.Background(), container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", "com.docker.compose.project="+project))})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		return "", nil
	}
	info, err := cli.ContainerInspect(context.Background(), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return list[0].ID, info.Config.Env
}

// echoOnDocker returns the echo test image (built once per process;
// TestMain removes it) and a client of the local Docker engine.
func echoOnDocker(t *testing.T) (testimage.Image, *client.Client) {
	t.Helper()
	img, err := testimage.Echo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	usedImage.Store(&img)
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cli.Close() })
	return img, cli
}

// The agent, with the real workload.compose provider on this machine's
// Docker engine: deploy, change a parameter (the container is recreated
// with the new environment), remove (containers gone, named volume kept).
func TestEndToEndAgentWithRealCompose(t *testing.T) {
	ctx := context.Background()
	img, cli := echoOnDocker(t)
	pkgDir := t.TempDir()
	pkg := filepath.Join(pkgDir, "compose.yaml")
	composeFile := fmt.Sprintf("services:\n  echo:\n    image: %s\n    command: [\"%s\", \"-addr\", \":8080\"]\n    environment:\n      GREETING: ${GREETING:-none}\n    volumes: [\"data:/data\"]\nvolumes:\n  data: {}\n", img.Ref, testimage.Binary)
	if err := os.WriteFile(pkg, []byte(composeFile), 0o600); err != nil {
		t.Fatal(err)
	}
	project := compose.ProjectName(workload.Component{DeploymentID: composeDep, Name: "echo"})
	t.Cleanup(func() {
		_ = cli.VolumeRemove(context.Background(), project+"_data", true)
	})

	testFleets.Store(t.Name(), newTestWorkloads()) // the helm role's stand-in
	defer testFleets.Delete(t.Name())
	w := startWFM(t, t.TempDir())
	dir := t.TempDir()
	writeCA(t, w, filepath.Join(dir, "ca.pem"))
	a := startAgent(t, dir, agentOptions{wfmURL: w.base(), caFile: filepath.Join(dir, "ca.pem"), fleet: t.Name(), compose: filepath.Join(dir, "compose")})
	var st agentStatus
	eventually(t, "the agent has onboarded", func() bool { a.get(t, "/status", &st); return st.Onboarded })
	client := st.ClientID

	apply(t, w, client, composeYAML(pkg, "hi"))
	eventually(t, "installed at the WFM", func() bool { _, s, _ := latest(t, w, client, composeDep); return s == "installed" })
	first, env := echoContainer(t, cli, project)
	if first == "" || !slices.Contains(env, "GREETING=hi") {
		t.Fatalf("container %q env %v", first, env)
	}

	_, before := statusHistory(t, w, client, composeDep)
	apply(t, w, client, composeYAML(pkg, "bonjour"))
	eventually(t, "upgraded at the WFM", func() bool {
		_, h := statusHistory(t, w, client, composeDep)
		return len(h) > len(before) && h[len(h)-1] == "installed"
	})
	second, env := echoContainer(t, cli, project)
	if second == "" || second == first || !slices.Contains(env, "GREETING=bonjour") {
		t.Fatalf("after the change: container %q (was %q) env %v", second, first, env)
	}

	if code, out := w.operator(t, "DELETE", "/clients/"+client+"/deployments/"+composeDep, "", nil); code != 202 {
		t.Fatalf("remove: %d %s", code, out)
	}
	eventually(t, "removed (the WFM purges it once the device reports removed)", func() bool {
		code, _ := statusHistory(t, w, client, composeDep)
		return code == 404
	})
	if id, _ := echoContainer(t, cli, project); id != "" {
		t.Fatalf("container %s still there after removal", id)
	}
	vols, err := cli.VolumeList(ctx, volume.ListOptions{Filters: filters.NewArgs(filters.Arg("name", project+"_data"))})
	if err != nil || len(vols.Volumes) != 1 || !strings.HasSuffix(vols.Volumes[0].Name, "_data") {
		t.Fatalf("the named volume was not kept: %v %+v", err, vols)
	}
}

// A Compose deployment whose start fails (its port is already allocated on
// the host) and is then deleted leaves nothing on the engine: the agent
// removes what the failed start created (a Created container, the
// project's network and, with removeVolumes, its volume) through the
// provider before it reports removed.
func TestEndToEndAgentRemovesAComposeDeploymentWhoseStartFailed(t *testing.T) {
	ctx := context.Background()
	img, cli := echoOnDocker(t)
	held, err := net.Listen("tcp", "127.0.0.1:0") // the port the deployment asks for
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	port := held.Addr().(*net.TCPAddr).Port
	pkg := filepath.Join(t.TempDir(), "compose.yaml")
	composeFile := fmt.Sprintf("services:\n  echo:\n    image: %s\n    command: [\"%s\", \"-addr\", \":8080\"]\n    ports: [\"127.0.0.1:%d:8080\"]\n    volumes: [\"data:/data\"]\nvolumes:\n  data: {}\n", img.Ref, testimage.Binary, port)
	if err := os.WriteFile(pkg, []byte(composeFile), 0o600); err != nil {
		t.Fatal(err)
	}
	project := compose.ProjectName(workload.Component{DeploymentID: composeDep, Name: "echo"})
	byProject := filters.NewArgs(filters.Arg("label", "com.docker.compose.project="+project))
	leftovers := func() (containers, networks, volumes int) {
		cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: byProject})
		if err != nil {
			t.Fatal(err)
		}
		ns, err := cli.NetworkList(ctx, network.ListOptions{Filters: byProject})
		if err != nil {
			t.Fatal(err)
		}
		vs, err := cli.VolumeList(ctx, volume.ListOptions{Filters: byProject})
		if err != nil {
			t.Fatal(err)
		}
		return len(cs), len(ns), len(vs.Volumes)
	}
	t.Cleanup(func() {
		_, _ = cli.ContainersPrune(ctx, byProject)
		_, _ = cli.NetworksPrune(ctx, byProject)
		_ = cli.VolumeRemove(ctx, project+"_data", true)
	})

	testFleets.Store(t.Name(), newTestWorkloads())
	defer testFleets.Delete(t.Name())
	w := startWFM(t, t.TempDir())
	dir := t.TempDir()
	writeCA(t, w, filepath.Join(dir, "ca.pem"))
	o := agentOptions{wfmURL: w.base(), caFile: filepath.Join(dir, "ca.pem"), fleet: t.Name(), compose: filepath.Join(dir, "compose"), deviceID: "edge-e2e", backoff: "500ms"}
	o.rawDoc = strings.Replace(agentDoc(dir, o), `"type": "workload.compose", "config": {"workDir"`, `"type": "workload.compose", "config": {"removeVolumes": true, "workDir"`, 1)
	a := startAgent(t, dir, o)
	var st agentStatus
	eventually(t, "the agent has onboarded", func() bool { a.get(t, "/status", &st); return st.Onboarded })

	apply(t, w, st.ClientID, composeYAML(pkg, "hi"))
	eventually(t, "failed at the WFM", func() bool { _, s, _ := latest(t, w, st.ClientID, composeDep); return s == "failed" })
	if c, n, _ := leftovers(); c == 0 || n == 0 {
		t.Fatalf("the failed start left %d containers and %d networks: the test needs a start that creates them and fails", c, n)
	}
	if code, out := w.operator(t, "DELETE", "/clients/"+st.ClientID+"/deployments/"+composeDep, "", nil); code != 202 {
		t.Fatalf("remove: %d %s", code, out)
	}
	eventually(t, "removed (the WFM purges it once the device reports removed)", func() bool {
		code, _ := statusHistory(t, w, st.ClientID, composeDep)
		return code == 404
	})
	if c, n, v := leftovers(); c+n+v != 0 {
		t.Fatalf("after removed: %d containers, %d networks, %d volumes of the project remain", c, n, v)
	}
}
