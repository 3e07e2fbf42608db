package compose

import (
	"archive/tar"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/cadenza-edge/cadenza/coa/workload"
)

// onlyContainer returns the id of c's single container.
func onlyContainer(t *testing.T, cli *client.Client, c workload.Component) string {
	t.Helper()
	list := containers(t, cli, c)
	if len(list) != 1 {
		t.Fatalf("%s has %d containers, want 1", ProjectName(c), len(list))
	}
	return list[0].ID
}

// boots reads /data/boots of a container: one line per start of the server
// on this volume.
func boots(t *testing.T, cli *client.Client, id string) int {
	t.Helper()
	rc, _, err := cli.CopyFromContainer(t.Context(), id, "/data/boots")
	if err != nil {
		t.Fatalf("copy /data/boots: %v", err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	if _, err := tr.Next(); err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(tr)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "\n")
}

func TestUpgradeRecreatesChangedServiceAndKeepsVolume(t *testing.T) {
	p, cli := newProvider(t), dockerClient(t)
	web := writePackage(t, "upgrade/compose.yaml", webYAML)
	base := component("c0ffee00-0000-4000-8000-000000000001", "web", web, "1.0.0", map[string]any{"GREETING": "hello"})
	cleanupProject(t, base)
	ctx := t.Context()

	s1, err := p.Apply(ctx, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := onlyContainer(t, cli, base)
	vol := ProjectName(base) + "_data"
	v1, err := cli.VolumeInspect(ctx, vol)
	if err != nil {
		t.Fatalf("named volume: %v", err)
	}

	s2, err := p.Apply(ctx, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := onlyContainer(t, cli, base); got != first {
		t.Fatalf("an identical Apply recreated the container: %s -> %s", first[:12], got[:12])
	}
	if s1.Details[workload.DetailGeneration] != s2.Details[workload.DetailGeneration] {
		t.Fatalf("an identical Apply changed the generation: %v -> %v", s1.Details, s2.Details)
	}

	up := base
	up.Revision, up.Parameters = "1.0.1", map[string]any{"GREETING": "bonjour", "COUNT": 3.0, "LIST": []any{"a", true}}
	s3, err := p.Apply(ctx, up, nil)
	if err != nil {
		t.Fatal(err)
	}
	second := onlyContainer(t, cli, up)
	if second == first {
		t.Fatal("changed parameters did not recreate the container")
	}
	if gen(t, s3) <= gen(t, s2) {
		t.Fatalf("generation %v -> %v, want an increase", s2.Details, s3.Details)
	}
	verifyEnv(t, p, up)
	info, _ := cli.ContainerInspect(ctx, second)
	for _, kv := range []string{"COUNT=3", "LIST=a,true", "STATIC=yes"} {
		if !strings.Contains(strings.Join(info.Config.Env, "\n"), kv) {
			t.Errorf("env %q lacks %s", info.Config.Env, kv)
		}
	}
	v2, err := cli.VolumeInspect(ctx, vol)
	if err != nil || v2.CreatedAt != v1.CreatedAt {
		t.Fatalf("named volume after the upgrade: %+v, %v; want the same volume as %+v", v2, err, v1)
	}
	if n := boots(t, cli, second); n != 2 {
		t.Fatalf("/data/boots has %d lines, want 2 (one per container on the same volume)", n)
	}

	if err := p.Remove(ctx, up, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Status(ctx, up); err == nil {
		t.Fatal("Status after Remove succeeded")
	}
	if _, err := cli.VolumeInspect(ctx, vol); err != nil {
		t.Fatalf("Remove deleted the named volume: %v", err)
	}
}

func TestRemoveVolumes(t *testing.T) {
	cli := dockerClient(t)
	p, err := New(Config{WorkDir: t.TempDir(), AllowFileURLs: true, RemoveVolumes: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := component("c0ffee00-0000-4000-8000-000000000002", "web", writePackage(t, "rmvol/compose.yaml", webYAML), "1", nil)
	cleanupProject(t, c)
	if _, err := p.Apply(t.Context(), c, nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Remove(t.Context(), c, nil); err != nil {
		t.Fatal(err)
	}
	list, err := cli.VolumeList(t.Context(), volume.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range list.Volumes {
		if v.Name == ProjectName(c)+"_data" {
			t.Fatalf("removeVolumes: volume %s survived Remove", v.Name)
		}
	}
}

// gen is a status's generation.
func gen(t *testing.T, s workload.Status) uint64 {
	t.Helper()
	g, err := strconv.ParseUint(s.Details[workload.DetailGeneration], 10, 64)
	if err != nil {
		t.Fatalf("generation of %+v: %v", s, err)
	}
	return g
}
