package helm

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/registry/remote"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/internal/testserver"
	orasprovider "github.com/cadenza-edge/cadenza/providers/artifacts/oras"
)

// helmConfigMediaType is the config media type of a Helm chart manifest.
const helmConfigMediaType = "application/vnd.cncf.helm.config.v1+json"

// configMapTemplate renders the value settings.greeting into a ConfigMap.
const configMapTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data:
  greeting: {{ .Values.settings.greeting | quote }}
  chartVersion: {{ .Chart.Version | quote }}
`

// packageChart writes a chart (apiVersion v2, one ConfigMap template) of
// the given version and returns its packaged .tgz bytes.
func packageChart(t testing.TB, name, version string) []byte {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	files := map[string]string{
		"Chart.yaml":               "apiVersion: v2\nname: " + name + "\nversion: " + version + "\ntype: application\n",
		"values.yaml":              "settings:\n  greeting: default\n",
		"templates/configmap.yaml": configMapTemplate,
	}
	for f, data := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ch, err := loader.LoadDir(dir)
	if err != nil {
		t.Fatalf("load chart dir: %v", err)
	}
	tgz, err := chartutil.Save(ch, t.TempDir())
	if err != nil {
		t.Fatalf("package chart: %v", err)
	}
	data, err := os.ReadFile(tgz)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// pushChart pushes a packaged chart to reg as REPO:TAG with Helm's media
// types (what `helm push` writes), so Helm's own registry client accepts it.
func pushChart(t testing.TB, reg *testserver.RegistryServer, repoName, tag string, tgz []byte, meta map[string]string) {
	t.Helper()
	repo, err := remote.NewRepository(reg.Host + "/" + repoName)
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfgJSON, _ := json.Marshal(meta)
	cfgDesc, err := oras.PushBytes(ctx, repo, helmConfigMediaType, cfgJSON)
	if err != nil {
		t.Fatalf("push chart config: %v", err)
	}
	layer, err := oras.PushBytes(ctx, repo, artifacts.HelmChartMediaType, tgz)
	if err != nil {
		t.Fatalf("push chart layer: %v", err)
	}
	manifest, err := oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, "",
		oras.PackManifestOptions{Layers: []ocispec.Descriptor{layer}, ConfigDescriptor: &cfgDesc})
	if err != nil {
		t.Fatalf("push chart manifest: %v", err)
	}
	if err := repo.Tag(ctx, manifest, tag); err != nil {
		t.Fatalf("tag chart: %v", err)
	}
}

// publishCharts starts a registry holding the test chart at 0.1.0 and
// 0.2.0 and returns it with the chart's repository reference.
func publishCharts(t testing.TB) (*testserver.RegistryServer, string) {
	t.Helper()
	reg := testserver.Registry(t)
	for _, v := range []string{"0.1.0", "0.2.0"} {
		pushChart(t, reg, "charts/greeter", v, packageChart(t, "greeter", v),
			map[string]string{"apiVersion": "v2", "name": "greeter", "version": v})
	}
	return reg, reg.Ref("charts/greeter")
}

// testLogger logs to the test's output.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// newPuller builds artifacts.oras like the host does: DecodeModule, then
// Init, with a cache in t.TempDir() and reg reached over plain HTTP.
func newPuller(t testing.TB, reg *testserver.RegistryServer) *orasprovider.Puller {
	t.Helper()
	raw, _ := json.Marshal(map[string]any{
		"cacheDir":   t.TempDir(),
		"registries": map[string]any{reg.Host: map[string]any{"plainHTTP": true}},
		"timeout":    "1m",
		"backoff":    "10ms",
	})
	p := &orasprovider.Puller{}
	if err := config.DecodeModule("test.json", "providers.artifacts.config", raw, p.ConfigTarget()); err != nil {
		t.Fatalf("artifacts config: %v", err)
	}
	if err := p.Init(t.Context(), &module.Env{ID: orasprovider.ID, Name: "artifacts", Logger: testLogger(t)}); err != nil {
		t.Fatalf("artifacts Init: %v", err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p
}

// newFakeProvider builds workload.helm like the host does, with fake set
// and the artifacts role bound to puller (none when puller is nil).
func newFakeProvider(t testing.TB, puller artifacts.Puller, extra map[string]any) *Provider {
	t.Helper()
	cfg := map[string]any{"fake": true}
	for k, v := range extra {
		cfg[k] = v
	}
	raw, _ := json.Marshal(cfg)
	p := &Provider{}
	if err := config.DecodeModule("test.json", "providers.workload.config", raw, p.ConfigTarget()); err != nil {
		t.Fatalf("helm config: %v", err)
	}
	uses := map[string]module.Module{}
	if puller != nil {
		uses["artifacts"] = puller
	}
	if err := p.Init(t.Context(), &module.Env{ID: ID, Name: "workload", Logger: testLogger(t), Uses: uses}); err != nil {
		t.Fatalf("helm Init: %v", err)
	}
	return p
}
