package compose

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/internal/testimage"
)

// The echo image and a directory for package files, shared by every test of
// the process; an unreachable engine fails each test (CI has Docker).
var (
	echo     testimage.Image
	echoErr  error
	packages string
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	echo, echoErr = testimage.Echo(ctx)
	cancel()
	dir, err := os.MkdirTemp("", "cadenza-compose-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	packages = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	if err := echo.Cleanup(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "removing the test image:", err)
	}
	os.Exit(code)
}

// image returns the echo image's reference, failing t when Docker is not
// reachable.
func image(t testing.TB) string {
	t.Helper()
	if echoErr != nil {
		t.Fatal(echoErr)
	}
	return echo.Ref
}

// dockerClient is a raw engine client for assertions.
func dockerClient(t testing.TB) *client.Client {
	t.Helper()
	image(t)
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// newProvider returns a provider on a fresh work directory.
func newProvider(t testing.TB) *Provider {
	t.Helper()
	image(t)
	p, err := New(Config{WorkDir: t.TempDir(), AllowFileURLs: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// cleanupProject removes c's project with its volumes when t ends.
func cleanupProject(t testing.TB, c workload.Component) {
	t.Helper()
	t.Cleanup(func() {
		p, err := New(Config{WorkDir: t.TempDir(), AllowFileURLs: true, RemoveVolumes: true}, nil, nil)
		if err == nil {
			err = p.Remove(context.Background(), c, nil)
		}
		if err != nil {
			t.Errorf("cleanup of %s: %v", ProjectName(c), err)
		}
	})
}

// writePackage writes a compose file (with {{IMAGE}} replaced) under the
// shared package directory and returns its path.
func writePackage(t testing.TB, name, yaml string) string {
	t.Helper()
	path := filepath.Join(packages, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(yaml, "{{IMAGE}}", image(t))), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// webYAML runs the echo server with a named volume; GREETING comes from the
// component's parameters.
const webYAML = `services:
  web:
    image: {{IMAGE}}
    environment:
      STATIC: "yes"
    volumes:
      - data:/data
volumes:
  data: {}
`

// stuckYAML never becomes healthy: its first health check is an hour away.
const stuckYAML = `services:
  stuck:
    image: {{IMAGE}}
    healthcheck:
      test: ["CMD", "/echo", "-check", "http://127.0.0.1:1/"]
      interval: 1h
`

// containers returns the project's containers (all states).
func containers(t testing.TB, cli *client.Client, c workload.Component) []container.Summary {
	t.Helper()
	list, err := cli.ContainerList(t.Context(), container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", "com.docker.compose.project="+ProjectName(c)))})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// verifyEnv checks every container of c runs with c's parameters in its
// environment.
func verifyEnv(t testing.TB, _ workload.Provider, c workload.Component) {
	t.Helper()
	cli := dockerClient(t)
	list := containers(t, cli, c)
	if len(list) == 0 {
		t.Fatalf("no container for %s", ProjectName(c))
	}
	want, err := envParams(c.Parameters)
	if err != nil {
		t.Fatal(err)
	}
	for _, ctr := range list {
		info, err := cli.ContainerInspect(t.Context(), ctr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !info.State.Running {
			t.Errorf("container %s is %s, want running", info.Name, info.State.Status)
		}
		for k, v := range want {
			if !slices.Contains(info.Config.Env, k+"="+v) {
				t.Errorf("container %s env %q lacks %s=%s", info.Name, info.Config.Env, k, v)
			}
		}
	}
}
