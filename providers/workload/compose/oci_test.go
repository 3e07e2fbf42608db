package compose

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/openpgp" //nolint:staticcheck // matches verify.go
	"oras.land/oras-go/v2/content/oci"
	"oras.land/oras-go/v2/registry/remote"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/internal/testserver"
	"github.com/cadenza-edge/cadenza/providers/artifacts/oras"
)

// newPuller returns an artifacts.oras puller on a fresh cache, with cfg
// changed by mutate.
func newPuller(t testing.TB, mutate func(*oras.Config)) *oras.Puller {
	t.Helper()
	var cfg oras.Config
	cfg.Defaults()
	cfg.CacheDir = t.TempDir()
	cfg.Retries = 0
	mutate(&cfg)
	p, err := oras.New(cfg, slog.New(slog.NewTextHandler(testLog{t}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p
}

// newOCIProvider builds the provider as the host does: config, then Init
// with puller bound to the artifacts role.
func newOCIProvider(t testing.TB, puller artifacts.Puller) *Provider {
	t.Helper()
	image(t)
	p := &Provider{}
	cfg := p.ConfigTarget().(*Config)
	cfg.Defaults()
	cfg.WorkDir = t.TempDir()
	env := &module.Env{Uses: map[string]module.Module{RoleArtifacts: puller}}
	if err := p.Init(t.Context(), env); err != nil {
		t.Fatal(err)
	}
	return p
}

type testLog struct{ t testing.TB }

func (w testLog) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// webArchive is a tar.gz compose archive of webYAML in a folder, with an
// env file beside it.
func webArchive(t testing.TB, extra string) []byte {
	t.Helper()
	yaml := strings.Replace(strings.ReplaceAll(webYAML, "{{IMAGE}}", image(t)), "    volumes:", "    env_file: [extra.env]\n    volumes:", 1)
	return tarGz(t,
		entry{name: "web/", typ: tar.TypeDir},
		entry{name: "web/compose.yaml", body: yaml},
		entry{name: "web/extra.env", body: "EXTRA=" + extra + "\n"},
	)
}

// hasEnv fails t unless c's only container has kv in its environment.
func hasEnv(t *testing.T, c workload.Component, kv string) {
	t.Helper()
	cli := dockerClient(t)
	info, err := cli.ContainerInspect(t.Context(), onlyContainer(t, cli, c))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(info.Config.Env, "\n"), kv) {
		t.Fatalf("env %q lacks %s", info.Config.Env, kv)
	}
}

// A package pushed to a real registry (docker-registry) is pulled through
// the artifacts role by repository + revision (newest format) and by a P1
// oci:// packageLocation naming its tag; an upgrade to a single compose
// file recreates the service; a missing tag is NotFound and tampered
// content is refused by the puller's digest check.
func TestOCIPackageFromRegistry(t *testing.T) {
	reg := testserver.Registry(t)
	repo, err := remote.NewRepository(reg.Host + "/compose/web")
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	if _, err := Publish(t.Context(), repo, "1.0.0", webArchive(t, "from-oci"), nil); err != nil {
		t.Fatal(err)
	}
	single := strings.ReplaceAll(webYAML, "{{IMAGE}}", image(t))
	if _, err := Publish(t.Context(), repo, "1.1.0_build.7", []byte(single), nil); err != nil {
		t.Fatal(err)
	}
	p := newOCIProvider(t, newPuller(t, func(c *oras.Config) { c.Registries = map[string]oras.Registry{reg.Host: {PlainHTTP: true}} }))

	c := component("c0ffee00-0000-4000-8000-000000000010", "web", reg.Ref("compose/web"), "1.0.0", map[string]any{"GREETING": "oci"})
	cleanupProject(t, c)
	var events []workload.Event
	s, err := p.Apply(t.Context(), c, func(e workload.Event) { events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	if s.Phase != workload.Installed || s.Revision != "1.0.0" {
		t.Fatalf("status %+v", s)
	}
	var pulled, sized bool
	for _, e := range events {
		if strings.HasPrefix(e.Message, "pulling "+reg.Ref("compose/web:1.0.0")) {
			pulled = true
			sized = sized || (e.Total > 0 && e.Done == e.Total)
		}
	}
	if !pulled || !sized {
		t.Fatalf("events %+v: want pull progress with the layer's size", events)
	}
	verifyEnv(t, p, c)
	hasEnv(t, c, "EXTRA=from-oci")
	gen := s.Details[workload.DetailGeneration]

	up := c
	up.Repository, up.Revision = reg.Ref("compose/web:1.1.0_build.7"), "1.1.0+build.7" // P1: the location names its tag
	s, err = p.Apply(t.Context(), up, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Phase != workload.Installed || s.Details[workload.DetailGeneration] == gen {
		t.Fatalf("upgrade status %+v (generation was %v)", s, gen)
	}
	up.Repository = reg.Ref("compose/web") // revision with "+": tag with "_"
	if s2, err := p.Apply(t.Context(), up, nil); err != nil || s2.Details[workload.DetailGeneration] != s.Details[workload.DetailGeneration] {
		t.Fatalf("same package by repository + revision: %+v, %v; want nothing changed", s2, err)
	}

	missing := c
	missing.Name, missing.Revision = "missing", "9.9.9"
	if _, err := p.Apply(t.Context(), missing, nil); !fault.Is(err, fault.NotFound) {
		t.Fatalf("Apply of a missing tag: %v, want not-found", err)
	}

	tamperedArchive := webArchive(t, "tampered")
	if _, err := Publish(t.Context(), repo, "2.0.0", tamperedArchive, nil); err != nil {
		t.Fatal(err)
	}
	layer := layerDigest(t, tamperedArchive)
	if err := os.WriteFile(reg.BlobPath(layer), bytes.Repeat([]byte{'x'}, len(tamperedArchive)), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := c
	bad.Name, bad.Revision = "tampered", "2.0.0"
	if _, err := p.Apply(t.Context(), bad, nil); !fault.Is(err, fault.Unprocessable) {
		t.Fatalf("Apply of tampered content: %v, want unprocessable", err)
	}
}

// A package in a local OCI layout (a registry host mapped to a layout
// directory) is pulled and its signature layer checked against the
// component's key; a signature by another key is Forbidden, a manifest
// without one Unprocessable.
func TestOCIPackageFromLayoutSigned(t *testing.T) {
	root := t.TempDir()
	store, err := oci.New(filepath.Join(root, "apps", "web"))
	if err != nil {
		t.Fatal(err)
	}
	archive := webArchive(t, "from-layout")
	signer, keyFile := newSigner(t)
	other, _ := newSigner(t)
	for tag, s := range map[string]*openpgp.Entity{"1.0.0": signer, "1.0.1": other, "1.0.2": nil} {
		var sig bytes.Buffer
		if s != nil {
			if err := openpgp.ArmoredDetachSign(&sig, s, bytes.NewReader(archive), nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Publish(t.Context(), store, tag, archive, sig.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	const host = "mirror.cadenza.invalid"
	p := newOCIProvider(t, newPuller(t, func(c *oras.Config) { c.Registries = map[string]oras.Registry{host: {Layout: root}} }))

	c := component("c0ffee00-0000-4000-8000-000000000011", "web", "oci://"+host+"/apps/web", "1.0.0", map[string]any{"GREETING": "layout"})
	c.KeyLocation = keyFile
	cleanupProject(t, c)
	if _, err := p.Apply(t.Context(), c, nil); err != nil {
		t.Fatalf("Apply of a signed package from a layout: %v", err)
	}
	verifyEnv(t, p, c)
	hasEnv(t, c, "EXTRA=from-layout")

	c.Revision = "1.0.1"
	if _, err := p.Apply(t.Context(), c, nil); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("Apply of a package signed by another key: %v, want forbidden", err)
	}
	c.Revision = "1.0.2"
	if _, err := p.Apply(t.Context(), c, nil); !fault.Is(err, fault.Unprocessable) || !strings.Contains(err.Error(), MediaTypeSignature) {
		t.Fatalf("Apply of an unsigned package with a key: %v, want unprocessable naming %s", err, MediaTypeSignature)
	}
}

// Without an artifacts role, an oci:// package fails plainly, and nothing
// is recorded.
func TestOCIWithoutArtifacts(t *testing.T) {
	p := newProvider(t)
	c := component("c0ffee00-0000-4000-8000-000000000012", "web", "oci://registry.example/compose/web", "1.0.0", nil)
	_, err := p.Apply(t.Context(), c, nil)
	if !fault.Is(err, fault.BadRequest) || !errors.Is(err, ErrNoArtifacts) || !strings.Contains(err.Error(), `bind the "artifacts" role`) {
		t.Fatalf("Apply without an artifacts provider: %v, want bad-request wrapping ErrNoArtifacts", err)
	}
	if _, err := p.Status(t.Context(), c); !fault.Is(err, fault.NotFound) {
		t.Fatalf("Status after the refusal: %v, want not-found", err)
	}
}

func TestOCIRef(t *testing.T) {
	for _, tc := range []struct{ repo, rev, want string }{
		{"oci://r.example/apps/web", "1.2.3", "oci://r.example/apps/web:1.2.3"},
		{"oci://r.example:5000/apps/web", "1.2.3+build.1", "oci://r.example:5000/apps/web:1.2.3_build.1"},
		{"OCI://r.example/apps/web:2.0.0", "1.0.0", "oci://r.example/apps/web:2.0.0"},
		{"oci://r.example/apps/web@sha256:" + strings.Repeat("a", 64), "", "oci://r.example/apps/web@sha256:" + strings.Repeat("a", 64)},
	} {
		got, err := ociRef(workload.Component{Repository: tc.repo, Revision: tc.rev})
		if err != nil || got != tc.want {
			t.Errorf("ociRef(%q, %q) = %q, %v; want %q", tc.repo, tc.rev, got, err, tc.want)
		}
	}
	for _, repo := range []string{"oci://r.example", "oci://r.example/", "oci:///web", "oci://r.example/apps/web"} {
		if _, err := ociRef(workload.Component{Name: "c", Repository: repo}); !fault.Is(err, fault.BadRequest) {
			t.Errorf("ociRef(%q) without revision: %v, want bad-request", repo, err)
		}
	}
	d := "sha256:" + strings.Repeat("b", 64)
	for ref, want := range map[string]string{
		"oci://r.example:5000/a/b:1.0":                                "oci://r.example:5000/a/b@" + d,
		"oci://r.example:5000/a/b@" + strings.Replace(d, "b", "c", 1): "oci://r.example:5000/a/b@" + d,
	} {
		if got := digestRef(ref, d); got != want {
			t.Errorf("digestRef(%q) = %q, want %q", ref, got, want)
		}
	}
}

func TestRoles(t *testing.T) {
	roles := (&Provider{}).Roles()
	if len(roles) != 1 || roles[0].Name != RoleArtifacts || !roles[0].Optional {
		t.Fatalf("roles %+v, want one optional artifacts role", roles)
	}
	if !roles[0].Accepts(newPuller(t, func(*oras.Config) {})) || roles[0].Accepts(&Provider{}) {
		t.Fatal("the artifacts role does not check for an artifacts.Puller")
	}
}

// layerDigest is the digest of data.
func layerDigest(t testing.TB, data []byte) string {
	t.Helper()
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// newSigner returns a PGP entity and the file holding its public key.
func newSigner(t testing.TB) (*openpgp.Entity, string) {
	t.Helper()
	e, err := openpgp.NewEntity("cadenza test", "", "test@cadenza.invalid", nil)
	if err != nil {
		t.Fatal(err)
	}
	var key bytes.Buffer
	if err := e.Serialize(&key); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "key.gpg")
	if err := os.WriteFile(file, key.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return e, file
}
