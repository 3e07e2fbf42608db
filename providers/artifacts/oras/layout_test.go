package oras

import (
	"context"
	"path/filepath"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	gooras "oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content/oci"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
)

// writeLayout writes a single-layer artifact tagged tag into an OCI layout
// at dir and returns the manifest digest.
func writeLayout(t *testing.T, dir, tag string, data []byte) string {
	t.Helper()
	ctx := context.Background()
	store, err := oci.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	layer, err := gooras.PushBytes(ctx, store, testMediaType, data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := gooras.PackManifest(ctx, store, gooras.PackManifestVersion1_1, "application/vnd.cadenza.test.artifact.v1",
		gooras.PackManifestOptions{Layers: []ocispec.Descriptor{layer}})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Tag(ctx, m, tag); err != nil {
		t.Fatal(err)
	}
	return m.Digest.String()
}

// Local OCI layouts: by tag and by digest, a layout per repository below
// a configured directory, and the errors of absent or unknown layouts.
func TestOCILayout(t *testing.T) {
	root := t.TempDir()
	data := randomBytes(t, 3000)
	d := writeLayout(t, filepath.Join(root, "bundle"), "1.0", data)
	repoData := randomBytes(t, 1500)
	writeLayout(t, filepath.Join(root, "repos", "charts", "app"), "2.0", repoData)

	p := newTestPuller(t, func(c *Config) {
		c.Layouts = map[string]string{"bundle": filepath.Join(root, "bundle"), "repos": filepath.Join(root, "repos"), "gone": filepath.Join(root, "gone")}
	})
	for _, ref := range []string{"oci-layout://bundle:1.0", "oci-layout://bundle@" + d, "oci-layout://bundle:1.0@" + d} {
		a, err := p.Pull(t.Context(), ref, artifacts.PullOptions{MediaTypes: []string{testMediaType}})
		if err != nil {
			t.Fatalf("Pull(%q): %v", ref, err)
		}
		if a.Digest != d || a.Ref != ref {
			t.Fatalf("Pull(%q) = digest %s ref %s, want %s", ref, a.Digest, a.Ref, d)
		}
		sameFile(t, a.Path, data)
	}
	a, err := p.Pull(t.Context(), "oci-layout://repos/charts/app:2.0", artifacts.PullOptions{})
	if err != nil {
		t.Fatalf("layout per repository: %v", err)
	}
	sameFile(t, a.Path, repoData)

	for ref, code := range map[string]fault.Code{
		"oci-layout://bundle:9.9":            fault.NotFound,
		"oci-layout://repos/charts/none:1.0": fault.NotFound,
		"oci-layout://unknown:1.0":           fault.BadRequest,
		"oci-layout://bundle":                fault.BadRequest,
		"oci-layout://repos/../bundle:1.0":   fault.BadRequest,
		"oci-layout://gone:1.0":              fault.Unavailable,
	} {
		_, err := p.Pull(t.Context(), ref, artifacts.PullOptions{})
		if fault.CodeOf(err) != code {
			t.Errorf("Pull(%q): %v (code %q), want %q", ref, err, fault.CodeOf(err), code)
		}
	}
}

// A registry configured with a layout is served from local OCI layouts,
// one per repository: oci://HOST/REPO:TAG reads LAYOUT/REPO, by tag and by
// digest, and nothing is asked of the network.
func TestRegistryLayout(t *testing.T) {
	root := t.TempDir()
	data := randomBytes(t, 2048)
	d := writeLayout(t, filepath.Join(root, "apps", "echo"), "1.0.0", data)

	const host = "mirror.cadenza.invalid" // never resolved: a lookup would fail the pull
	p := newTestPuller(t, func(c *Config) {
		c.Registries = map[string]Registry{host: {Layout: root}, "gone.invalid": {Layout: filepath.Join(root, "gone")}}
		c.Retries = 0
	})
	for _, ref := range []string{"oci://" + host + "/apps/echo:1.0.0", host + "/apps/echo@" + d} {
		a, err := p.Pull(t.Context(), ref, artifacts.PullOptions{MediaTypes: []string{testMediaType}})
		if err != nil {
			t.Fatalf("Pull(%q): %v", ref, err)
		}
		if a.Digest != d {
			t.Fatalf("Pull(%q) = digest %s, want %s", ref, a.Digest, d)
		}
		sameFile(t, a.Path, data)
	}
	for ref, code := range map[string]fault.Code{
		"oci://" + host + "/apps/echo:9.9":   fault.NotFound,
		"oci://" + host + "/apps/none:1.0.0": fault.NotFound,
		"oci://gone.invalid/apps/echo:1.0.0": fault.Unavailable,
	} {
		_, err := p.Pull(t.Context(), ref, artifacts.PullOptions{})
		if fault.CodeOf(err) != code {
			t.Errorf("Pull(%q): %v (code %q), want %q", ref, err, fault.CodeOf(err), code)
		}
	}
}
