package catalog

import (
	"fmt"
	"net"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/internal/testserver"
	"github.com/cadenza-edge/cadenza/managers/base/basetest"
	gitreg "github.com/cadenza-edge/cadenza/providers/registry/git"
)

func margo(id, version, extra string) string {
	return fmt.Sprintf(`apiVersion: v1
id: %s
metadata:
  name: App %s
  version: "%s"
  catalog:
    application: {icon: ./resources/icon.png, tagline: t}
    organization: [{name: O}]
deploymentProfiles:
  - {type: helm, id: %s-helm, components: [{name: c, properties: {repository: oci://r/c, revision: 1.0.0}}]}
%s`, id, id, version, id, extra)
}

func newCatalog(t *testing.T, env map[string]string) *Manager {
	t.Helper()
	uses := map[string]module.Module{"registry": gitreg.New(gitreg.Config{AllowLocal: true})}
	m := basetest.New[Manager](t, nil, "", uses)
	m.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	return m
}

func TestCatalogOverHTTP(t *testing.T) {
	root := t.TempDir()
	repo := testserver.NewGitRepo(t, root, "apps.git")
	repo.Commit("v1", map[string]string{
		"apps/alpha/margo.yaml":         margo("alpha", "1.0.0", ""),
		"apps/alpha/resources/icon.png": "PNG1",
		"apps/beta/margo.yaml":          margo("beta", "2.0.0", ""),
		"apps/beta/resources/icon.png":  "PNG2",
	})
	srv := testserver.ServeGit(t, root, testserver.GitAuth{Username: "u", Password: "s3cret"})
	m := newCatalog(t, map[string]string{"REG_PASS": "s3cret", "BAD_PASS": "nope"})
	ctx := t.Context()

	_, err := m.AddRegistry(ctx, fleet.RegistrySpec{Name: "main", URL: srv.URL + "/apps.git", Path: "apps", Username: "u", SecretEnv: "REG_PASS"})
	basetest.Must(t, err)
	_, err = m.AddRegistry(ctx, fleet.RegistrySpec{Name: "main", URL: "x"})
	basetest.WantFault(t, err, fault.Conflict, "")

	r, err := m.Sync(ctx, "main")
	basetest.Must(t, err)
	if r.LastError != nil || r.LastRevision == "" || len(r.Packages) != 2 {
		t.Fatalf("registry after sync: %+v", r)
	}
	apps, next, err := m.Applications(ctx, fleet.Page{})
	basetest.Must(t, err)
	if len(apps) != 2 || next != "" || apps[0].ID != "alpha" || apps[0].Latest != "1.0.0" || apps[0].Name != "App alpha" {
		t.Fatalf("applications: %+v", apps)
	}
	b, mt, err := m.Resource(ctx, "alpha", "1.0.0", "./resources/icon.png")
	if err != nil || string(b) != "PNG1" || mt != "image/png" {
		t.Fatalf("resource: %q %q %v", b, mt, err)
	}
	if _, mt, _ := m.Resource(ctx, "alpha", "1.0.0", "margo.yaml"); mt != "application/yaml" {
		t.Errorf("margo.yaml media type %q", mt)
	}
	_, _, err = m.Resource(ctx, "alpha", "1.0.0", "../x")
	basetest.WantFault(t, err, fault.BadRequest, "")

	// Update: alpha 1.1.0 appears, 1.0.0 is kept; beta breaks (every
	// violation recorded with its file) and its last good version stays.
	repo.Commit("v2", map[string]string{
		"apps/alpha/margo.yaml": margo("alpha", "1.1.0", ""),
		"apps/beta/margo.yaml":  margo("beta", "2.1.0", "parameters:\n  p: {targets: [{pointer: X, components: [ghost]}]}\n") + "colour: red\n",
		"apps/gamma/margo.yaml": "apiVersion: v1\n",
	})
	r, err = m.Sync(ctx, "main")
	basetest.Must(t, err)
	bad := map[string]fleet.PackageStatus{}
	for _, p := range r.Packages {
		if p.Error != nil {
			bad[p.Dir] = p
		}
	}
	if len(bad) != 2 || bad["beta"].File != "apps/beta/margo.yaml" || len(bad["beta"].Violations) != 2 || len(bad["gamma"].Violations) != 3 {
		t.Fatalf("invalid packages: %+v", bad)
	}
	a, err := m.Application(ctx, "alpha")
	basetest.Must(t, err)
	if len(a.Versions) != 2 || a.Latest != "1.1.0" {
		t.Errorf("alpha: %+v", a)
	}
	v, err := m.Version(ctx, "beta", "2.0.0")
	if err != nil || v.Description.Version != "2.0.0" || len(v.FileNames) != 2 {
		t.Errorf("beta's last good version: %+v %v", v, err)
	}

	// Wrong credentials: Unauthorized recorded, catalog untouched.
	_, err = m.AddRegistry(ctx, fleet.RegistrySpec{Name: "locked", URL: srv.URL + "/apps.git", Username: "u", SecretEnv: "BAD_PASS"})
	basetest.Must(t, err)
	_, err = m.Sync(ctx, "locked")
	basetest.WantFault(t, err, fault.Unauthorized, "")
	if r, _ := m.Registry(ctx, "locked"); r.LastError == nil || r.LastError.Code != fault.Unauthorized {
		t.Errorf("locked: %+v", r.LastError)
	}

	// Unreachable: Unavailable recorded.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	basetest.Must(t, err)
	addr := l.Addr().String()
	l.Close()
	_, err = m.AddRegistry(ctx, fleet.RegistrySpec{Name: "gone", URL: "http://" + addr + "/apps.git"})
	basetest.Must(t, err)
	basetest.Must(t, m.Reconcile(ctx)) // records, never fails on one registry
	if r, _ := m.Registry(ctx, "gone"); r.LastError == nil || r.LastError.Code != fault.Unavailable {
		t.Errorf("gone: %+v", r.LastError)
	}

	// Removal drops the registry and its versions.
	basetest.Must(t, m.RemoveRegistry(ctx, "main"))
	_, err = m.Application(ctx, "alpha")
	basetest.WantFault(t, err, fault.NotFound, "")
	_, err = m.Version(ctx, "beta", "2.0.0")
	basetest.WantFault(t, err, fault.NotFound, "")
	regs, err := m.Registries(ctx)
	basetest.Must(t, err)
	if len(regs) != 2 {
		t.Errorf("registries after removal: %+v", regs)
	}
	basetest.WantFault(t, m.RemoveRegistry(ctx, "main"), fault.NotFound, "")
}

func TestCatalogFileURLAndMissingSecret(t *testing.T) {
	repo := testserver.NewGitRepo(t, t.TempDir(), "apps.git")
	repo.Commit("one", map[string]string{"margo.yaml": margo("solo", "0.1.0", ""), "resources/icon.png": "P"})
	repo.Tag("v0.1.0")
	repo.Commit("missing icon", map[string]string{"margo.yaml": margo("solo", "0.2.0", "")}, "resources/icon.png")
	m := newCatalog(t, nil)
	ctx := t.Context()
	_, err := m.AddRegistry(ctx, fleet.RegistrySpec{Name: "tagged", URL: repo.URL(), Ref: "v0.1.0"})
	basetest.Must(t, err)
	_, err = m.AddRegistry(ctx, fleet.RegistrySpec{Name: "head", URL: repo.URL()})
	basetest.Must(t, err)
	_, err = m.Sync(ctx, "tagged")
	basetest.Must(t, err)
	r, err := m.Sync(ctx, "head")
	basetest.Must(t, err)
	if len(r.Packages) != 1 || r.Packages[0].Error == nil || r.Packages[0].Violations[0].Field != "metadata.catalog.application.icon" {
		t.Fatalf("missing icon not reported: %+v", r.Packages)
	}
	a, err := m.Application(ctx, "solo")
	if err != nil || len(a.Versions) != 1 || a.Versions[0].Registry != "tagged" {
		t.Fatalf("solo: %+v %v", a, err)
	}
	_, err = m.AddRegistry(ctx, fleet.RegistrySpec{Name: "secret", URL: repo.URL(), SecretEnv: "UNSET"})
	basetest.Must(t, err)
	_, err = m.Sync(ctx, "secret")
	basetest.WantFault(t, err, fault.BadRequest, "")
	_, err = m.AddRegistry(ctx, fleet.RegistrySpec{Name: "Bad Name", URL: repo.URL()})
	basetest.WantFault(t, err, fault.BadRequest, "")
}
