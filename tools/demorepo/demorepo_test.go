package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"
	"oras.land/oras-go/v2/content/oci"
	"sigs.k8s.io/yaml"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/profile"
	orasprovider "github.com/cadenza-edge/cadenza/providers/artifacts/oras"
	"github.com/cadenza-edge/cadenza/providers/workload/compose"
	"github.com/cadenza-edge/cadenza/providers/workload/helm"
)

// The registry host the sample application's components name.
const demoHost = "registry.cadenza.demo"

// published runs the publishing of samples/apps into a temporary folder,
// as make demo does, and returns the git registry and OCI folders.
func published(t *testing.T) (gitDir, ociDir string) {
	t.Helper()
	root := t.TempDir()
	gitDir, ociDir = filepath.Join(root, "apps.git"), filepath.Join(root, "oci")
	var out bytes.Buffer
	if err := run(t.Context(), filepath.Join("..", "..", "samples", "apps"), gitDir, ociDir, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	t.Logf("demorepo:\n%s", out.String())
	return gitDir, ociDir
}

// newPuller builds artifacts.oras as the demo's agent config does: the
// demo registry host served from its OCI layout directory.
func newPuller(t *testing.T, ociDir string) artifacts.Puller {
	t.Helper()
	raw, _ := json.Marshal(map[string]any{
		"cacheDir":   t.TempDir(),
		"registries": map[string]any{demoHost: map[string]any{"layout": filepath.Join(ociDir, demoHost)}},
	})
	p := &orasprovider.Puller{}
	if err := config.DecodeModule("agent.json", "providers.artifacts.config", raw, p.ConfigTarget()); err != nil {
		t.Fatalf("artifacts config: %v", err)
	}
	if err := p.Init(t.Context(), &module.Env{ID: orasprovider.ID, Name: "artifacts", Logger: testLogger(t)}); err != nil {
		t.Fatalf("artifacts Init: %v", err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// recordingPuller remembers what the workload provider pulled.
type recordingPuller struct {
	artifacts.Puller
	mu     sync.Mutex
	pulled []*artifacts.Artifact
}

func (r *recordingPuller) Pull(ctx context.Context, ref string, opts artifacts.PullOptions) (*artifacts.Artifact, error) {
	a, err := r.Puller.Pull(ctx, ref, opts)
	if err == nil {
		r.mu.Lock()
		r.pulled = append(r.pulled, a)
		r.mu.Unlock()
	}
	return a, err
}

// description reads the application description as the WFM does: from the
// git application registry demorepo committed.
func description(t *testing.T, gitDir string) *application.Description {
	t.Helper()
	repo, err := gogit.PlainOpen(gitDir)
	if err != nil {
		t.Fatalf("the application registry is no git repository: %v", err)
	}
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	c, err := repo.CommitObject(head.Hash())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"echo/compose/compose.yaml", "echo/chart/Chart.yaml", "echo/chart/templates/deployment.yaml"} {
		if _, err := c.File(name); err != nil {
			t.Errorf("the registry's commit has no %s: %v", name, err)
		}
	}
	f, err := c.File("echo/margo.yaml")
	if err != nil {
		t.Fatalf("the registry's commit has no echo/margo.yaml: %v", err)
	}
	data, err := f.Contents()
	if err != nil {
		t.Fatal(err)
	}
	desc, err := application.Parse([]byte(data))
	if err != nil {
		t.Fatalf("echo/margo.yaml: %v", err)
	}
	return desc
}

// components are the workload components a device runs for profile id of
// desc with the given parameter values, as the WFM renders the deployment
// (P1 profile type, each parameter's value or default, targets restricted
// to the profile's components) and the agent maps it (each component gets
// pointer -> value of the targets naming it).
func components(t *testing.T, desc *application.Description, id string, given map[string]any) []workload.Component {
	t.Helper()
	i := slices.IndexFunc(desc.Profiles, func(p application.Profile) bool { return p.ID == id })
	if i < 0 {
		t.Fatalf("no profile %s", id)
	}
	p := desc.Profiles[i]
	typ := map[string]string{profile.Helm: profile.HelmV3, profile.Compose: profile.Compose}[p.Type]
	var out []workload.Component
	for _, c := range p.Components {
		wc := workload.Component{
			DeploymentID: "5b2e8f0a-3c4d-4e6f-8a9b-1c2d3e4f5a6b", Deployment: "echo-demo", Namespace: "cadenza-demo",
			Name: c.Name, ProfileType: typ, Repository: c.Properties.Repository, Revision: c.Properties.Revision,
			Wait: c.Properties.Wait != nil && *c.Properties.Wait, Timeout: time.Minute, Parameters: map[string]any{},
		}
		for name, par := range desc.Parameters {
			v, ok := given[name]
			if !ok {
				v = par.Value
			}
			for _, tg := range par.Targets {
				if slices.Contains(tg.Components, c.Name) {
					wc.Parameters[tg.Pointer] = v
				}
			}
		}
		out = append(out, wc)
	}
	return out
}

// The sample application's packages are published as make demo needs
// them: the description in a git registry, the compose archive and the
// Helm chart in OCI layouts, and the helm profile runs on the real
// workload.helm provider (Helm's fake Kubernetes client: no cluster here)
// pulling the chart through artifacts.oras from the layout: installed with
// the greeting from the parameter, upgraded when it changes, uninstalled.
func TestPublishedSampleRunsThroughHelm(t *testing.T) {
	gitDir, ociDir := published(t)
	desc := description(t, gitDir)
	if desc.ID != "cadenza-demo-echo" || len(desc.Profiles) != 2 {
		t.Fatalf("description %s has %d profiles, want cadenza-demo-echo with compose and helm", desc.ID, len(desc.Profiles))
	}
	if p := desc.Profiles[0]; p.Type != profile.Compose || p.ID != "cadenza-demo-echo-compose" {
		t.Errorf("first profile is %s %s, want the compose profile first (the one a device running both gets)", p.Type, p.ID)
	}
	if p := desc.Profiles[1]; p.Type != profile.Helm || p.ID != "cadenza-demo-echo-helm" {
		t.Errorf("second profile is %s %s, want helm cadenza-demo-echo-helm", p.Type, p.ID)
	}

	rec := &recordingPuller{Puller: newPuller(t, ociDir)}
	raw, _ := json.Marshal(map[string]any{"fake": true})
	prov := &helm.Provider{}
	if err := config.DecodeModule("agent.json", "providers.helm.config", raw, prov.ConfigTarget()); err != nil {
		t.Fatalf("helm config: %v", err)
	}
	if err := prov.Init(t.Context(), &module.Env{ID: helm.ID, Name: "helm", Logger: testLogger(t), Uses: map[string]module.Module{"artifacts": rec}}); err != nil {
		t.Fatalf("helm Init: %v", err)
	}

	greeting := "hello from the helm profile"
	comps := components(t, desc, "cadenza-demo-echo-helm", map[string]any{"greeting": greeting})
	if len(comps) != 1 {
		t.Fatalf("helm profile has %d components, want 1", len(comps))
	}
	c := comps[0]
	if c.ProfileType != profile.HelmV3 || c.Repository != "oci://"+demoHost+"/charts/echo" || c.Revision != "1.0.0" {
		t.Fatalf("helm component = %+v", c)
	}
	if len(c.Parameters) != 1 || c.Parameters["greeting"] != greeting {
		t.Fatalf("helm component parameters = %v, want only greeting (the compose target GREETING is not its)", c.Parameters)
	}

	st, err := prov.Apply(t.Context(), c, nil)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if st.Phase != workload.Installed || st.Revision != "1.0.0" || st.Details[workload.DetailGeneration] != "1" || st.Details[helm.DetailChart] != "echo" {
		t.Fatalf("status after install = %+v", st)
	}

	// The chart came through the artifacts role, from the layout, as the
	// artifact tagged 1.0.0 there.
	store, err := oci.New(filepath.Join(ociDir, demoHost, "charts", "echo"))
	if err != nil {
		t.Fatal(err)
	}
	tagged, err := store.Resolve(t.Context(), "1.0.0")
	if err != nil {
		t.Fatalf("the chart layout has no tag 1.0.0: %v", err)
	}
	if len(rec.pulled) != 1 {
		t.Fatalf("workload.helm pulled %d artifacts through the artifacts role, want 1", len(rec.pulled))
	}
	if a := rec.pulled[0]; a.Digest != tagged.Digest.String() || a.MediaType != artifacts.HelmChartMediaType || a.Ref != "oci://"+demoHost+"/charts/echo:1.0.0" {
		t.Fatalf("pulled %s %s (%s), want %s of the layout, %s", a.Ref, a.Digest, a.MediaType, tagged.Digest, artifacts.HelmChartMediaType)
	}

	rel, err := prov.Release(t.Context(), c)
	if err != nil {
		t.Fatalf("Release: %v", err)
	}
	if rel.Info.Status != release.StatusDeployed || rel.Namespace != "cadenza-demo" || rel.Chart.Metadata.Version != "1.0.0" || rel.Chart.Metadata.APIVersion != "v2" {
		t.Fatalf("release %s/%s: status %s, chart %s %s", rel.Namespace, rel.Name, rel.Info.Status, rel.Chart.Metadata.APIVersion, rel.Chart.Metadata.Version)
	}
	if rel.Config["greeting"] != greeting {
		t.Errorf("release values = %v, want greeting %q", rel.Config, greeting)
	}
	if len(rel.Hooks) != 0 {
		t.Errorf("the release has %d hooks; Margo device charts have none", len(rel.Hooks))
	}
	checkManifest(t, rel, greeting)

	// A changed parameter upgrades the release; the same one changes nothing.
	c = components(t, desc, "cadenza-demo-echo-helm", map[string]any{"greeting": "hello again"})[0]
	st, err = prov.Apply(t.Context(), c, nil)
	if err != nil || st.Phase != workload.Installed || st.Details[workload.DetailGeneration] != "2" {
		t.Fatalf("Apply with a new greeting = %+v, %v; want installed, generation 2", st, err)
	}
	if rel, err = prov.Release(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	checkManifest(t, rel, "hello again")
	if st, err = prov.Apply(t.Context(), c, nil); err != nil || st.Details[workload.DetailGeneration] != "2" {
		t.Fatalf("the same Apply again = %+v, %v; want generation 2 (nothing to change)", st, err)
	}

	// The default greeting applies when the operator sets none.
	def := components(t, desc, "cadenza-demo-echo-helm", nil)[0]
	if def.Parameters["greeting"] != desc.Parameters["greeting"].Value || def.Parameters["greeting"] == nil {
		t.Errorf("default greeting = %v, want the description's %v", def.Parameters["greeting"], desc.Parameters["greeting"].Value)
	}

	if err := prov.Remove(t.Context(), c, nil); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := prov.Status(t.Context(), c); fault.CodeOf(err) != fault.NotFound {
		t.Fatalf("Status after Remove = %v, want not found", err)
	}
}

// checkManifest checks what the release renders: a Deployment running
// cadenza-demo/echo:1 (IfNotPresent: no registry holds it) with GREETING
// from the greeting value on port 8080, and a Service in front of it.
func checkManifest(t *testing.T, rel *release.Release, greeting string) {
	t.Helper()
	kinds := map[string]map[string]any{}
	for _, doc := range releaseutil.SplitManifests(rel.Manifest) {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("release manifest: %v\n%s", err, doc)
		}
		if obj == nil {
			continue
		}
		kind, _ := obj["kind"].(string)
		if kinds[kind] != nil {
			t.Errorf("the release has two %ss", kind)
		}
		kinds[kind] = obj
		if name := dig(obj, "metadata", "name"); name != rel.Name {
			t.Errorf("%s is named %v, want the release name %s", kind, name, rel.Name)
		}
	}
	if len(kinds) != 2 || kinds["Deployment"] == nil || kinds["Service"] == nil {
		t.Fatalf("the release renders %v, want a Deployment and a Service", slices.Sorted(func(yield func(string) bool) {
			for k := range kinds {
				if !yield(k) {
					return
				}
			}
		}))
	}
	containers, _ := dig(kinds["Deployment"], "spec", "template", "spec", "containers").([]any)
	if len(containers) != 1 {
		t.Fatalf("the Deployment has %d containers, want 1", len(containers))
	}
	ctr := containers[0].(map[string]any)
	if ctr["image"] != "cadenza-demo/echo:1" || ctr["imagePullPolicy"] != "IfNotPresent" {
		t.Errorf("container image %v, pull policy %v; want cadenza-demo/echo:1, IfNotPresent", ctr["image"], ctr["imagePullPolicy"])
	}
	var env []string
	for _, e := range ctr["env"].([]any) {
		m := e.(map[string]any)
		env = append(env, m["name"].(string)+"="+m["value"].(string))
	}
	if !slices.Equal(env, []string{"GREETING=" + greeting}) {
		t.Errorf("container env = %v, want GREETING=%s", env, greeting)
	}
	ports, _ := ctr["ports"].([]any)
	if len(ports) != 1 || dig(ports[0].(map[string]any), "containerPort") != float64(8080) {
		t.Errorf("container ports = %v, want 8080", ports)
	}
	svcPorts, _ := dig(kinds["Service"], "spec", "ports").([]any)
	if len(svcPorts) != 1 || dig(svcPorts[0].(map[string]any), "targetPort") != "http" {
		t.Errorf("service ports = %v, want one to the container's http port", svcPorts)
	}
	sel, _ := dig(kinds["Service"], "spec", "selector").(map[string]any)
	podLabels, _ := dig(kinds["Deployment"], "spec", "template", "metadata", "labels").(map[string]any)
	for k, v := range sel {
		if podLabels[k] != v {
			t.Errorf("the Service selects %s=%v, the pods have %v", k, v, podLabels[k])
		}
	}
	if len(sel) == 0 {
		t.Error("the Service selects nothing")
	}
}

// dig returns obj[k1][k2]... (nil when absent).
func dig(obj map[string]any, keys ...string) any {
	var v any = obj
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// The compose package is still published beside the chart, in the layout
// workload.compose pulls: one compose archive holding the compose file.
func TestPublishedComposeArchive(t *testing.T) {
	_, ociDir := published(t)
	p := newPuller(t, ociDir)
	a, err := p.Pull(t.Context(), "oci://"+demoHost+"/apps/echo:1.0.0", artifacts.PullOptions{MediaTypes: []string{compose.MediaTypeArchive}})
	if err != nil {
		t.Fatalf("pull the compose package: %v", err)
	}
	f, err := os.Open(a.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("the compose package is no tar.gz: %v", err)
	}
	tr := tar.NewReader(gz)
	var names []string
	var composeFile []byte
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Name == "compose.yaml" {
			if composeFile, err = io.ReadAll(tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !slices.Equal(names, []string{"compose.yaml"}) {
		t.Fatalf("the compose archive holds %v, want compose.yaml only", names)
	}
	for _, want := range []string{"image: cadenza-demo/echo:1", "GREETING: ${GREETING"} {
		if !strings.Contains(string(composeFile), want) {
			t.Errorf("compose.yaml lacks %q:\n%s", want, composeFile)
		}
	}
}

// Publishing is reproducible: the same chart gives the same archive, and
// the layout the same manifest digest, so a device sees no change.
func TestChartPackageIsReproducible(t *testing.T) {
	dir := filepath.Join("..", "..", "samples", "apps", "echo", "chart")
	a, ch, err := packageChart(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := packageChart(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two packagings of the chart differ")
	}
	if ch.Metadata.APIVersion != "v2" || ch.Name() != "echo" || ch.Metadata.Version != "1.0.0" {
		t.Fatalf("chart %s %s %s, want v2 echo 1.0.0", ch.Metadata.APIVersion, ch.Name(), ch.Metadata.Version)
	}
	var digests []string
	for range 2 {
		store, err := oci.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		d, err := publishChart(t.Context(), store, "1.0.0", a, ch.Metadata)
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, d.Digest.String())
	}
	if digests[0] != digests[1] {
		t.Fatalf("two publications of the chart have manifests %v", digests)
	}
}

// Charts with what Margo leaves out of devices are refused: hooks, lookup,
// CRDs; and a chart whose version is not the component's revision.
func TestChartMargoRules(t *testing.T) {
	base := map[string]string{
		"Chart.yaml":          "apiVersion: v2\nname: bad\nversion: 1.0.0\n",
		"values.yaml":         "{}\n",
		"templates/cm.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
		"templates/NOTES.txt": "thanks\n",
	}
	cases := map[string]struct {
		files map[string]string
		want  string
	}{
		"fine":         {},
		"hook":         {map[string]string{"templates/job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  annotations:\n    \"helm.sh/hook\": post-install\n"}, "is a hook"},
		"lookup":       {map[string]string{"templates/s.yaml": "{{- $s := (lookup \"v1\" \"Secret\" .Release.Namespace \"x\") }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n"}, "do not use lookup"},
		"crds dir":     {map[string]string{"crds/c.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: cs.example.com\n"}, "carry no CRDs"},
		"crd template": {map[string]string{"templates/c.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: cs.example.com\n"}, "carry no CRDs"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for f, data := range base {
				writeTestFile(t, filepath.Join(dir, f), data)
			}
			for f, data := range tc.files {
				writeTestFile(t, filepath.Join(dir, f), data)
			}
			_, _, err := packageChart(dir)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("packageChart: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("packageChart = %v, want an error saying %q", err, tc.want)
			}
		})
	}

	// The revision names the chart version.
	apps := t.TempDir()
	writeTestFile(t, filepath.Join(apps, "bad", "chart", "Chart.yaml"), "apiVersion: v2\nname: bad\nversion: 2.0.0\n")
	writeTestFile(t, filepath.Join(apps, "bad", "margo.yaml"), `apiVersion: v1
id: bad
metadata: {name: Bad, version: 1.0.0, catalog: {application: {tagline: bad}, organization: [{name: x}]}}
deploymentProfiles:
  - type: helm
    id: bad-helm
    components: [{name: bad, properties: {repository: oci://registry.cadenza.demo/charts/bad, revision: 1.0.0}}]
`)
	err := run(t.Context(), apps, filepath.Join(t.TempDir(), "git"), filepath.Join(t.TempDir(), "oci"), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "has version 2.0.0, but the component's revision is 1.0.0") {
		t.Fatalf("run with a chart of another version = %v", err)
	}
}

func writeTestFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
