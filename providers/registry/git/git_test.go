package git

import (
	"net"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/registry"
	"github.com/cadenza-edge/cadenza/coa/registry/registrytest"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// fixtureRepo commits two good packages, one ambiguous package and a
// nested package under apps/.
func fixtureRepo(t *testing.T, root string) *testserver.GitRepo {
	r := testserver.NewGitRepo(t, root, "apps.git")
	r.Commit("apps", map[string]string{
		"README.md":                "not a package",
		"apps/one/margo.yaml":      "id: one\n",
		"apps/one/resources/i.png": "PNG",
		"apps/two/margo.yaml":      "id: two\n",
		"apps/two/sub/margo.yaml":  "id: nested\n",
		"apps/bad/margo.yaml":      "a",
		"apps/bad/margo.yml":       "b",
	})
	return r
}

func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/apps.git"
}

func fixture(reg registry.Registry) registrytest.Fixture {
	return registrytest.Fixture{
		Registry: reg,
		Packages: map[string]map[string][]byte{
			"one":     {"margo.yaml": []byte("id: one\n"), "resources/i.png": []byte("PNG")},
			"two":     {"margo.yaml": []byte("id: two\n")},
			"two/sub": {"margo.yaml": []byte("id: nested\n")},
		},
		Broken: []string{"bad"},
		BadURL: "ftp:/nope",
	}
}

func TestConformanceFile(t *testing.T) {
	root := t.TempDir()
	r := fixtureRepo(t, root)
	registrytest.Run(t, New(Config{AllowLocal: true}), fixture(registry.Registry{URL: r.URL(), Path: "apps"}))
}

func TestConformanceHTTP(t *testing.T) {
	root := t.TempDir()
	fixtureRepo(t, root)
	srv := testserver.ServeGit(t, root, testserver.GitAuth{Username: "u", Password: "p"})
	reg := registry.Registry{URL: srv.URL + "/apps.git", Path: "apps", Auth: registry.Auth{Username: "u", Password: "p"}}
	fx := fixture(reg)
	wrong := reg
	wrong.Auth = registry.Auth{Username: "u", Password: "wrong"}
	fx.Unauthorized = &wrong
	fx.Unreachable = &registry.Registry{URL: closedURL(t)}
	registrytest.Run(t, New(Config{}), fx)
}

func TestHTTPToken(t *testing.T) {
	root := t.TempDir()
	fixtureRepo(t, root)
	srv := testserver.ServeGit(t, root, testserver.GitAuth{Token: "tok"})
	p := New(Config{})
	for _, a := range []registry.Auth{{Token: "tok"}, {Username: "anyone", Token: "tok"}} {
		if _, err := p.Fetch(t.Context(), registry.Registry{URL: srv.URL + "/apps.git", Auth: a}); err != nil {
			t.Errorf("auth %+v: %v", a, err)
		}
	}
	if _, err := p.Fetch(t.Context(), registry.Registry{URL: srv.URL + "/apps.git"}); !fault.Is(err, fault.Unauthorized) {
		t.Errorf("no credentials: %v", err)
	}
	if _, err := p.Fetch(t.Context(), registry.Registry{URL: srv.URL + "/missing.git", Auth: registry.Auth{Token: "tok"}}); !fault.Is(err, fault.NotFound) {
		t.Errorf("missing repository: %v", err)
	}
}

func TestRefsAndBounds(t *testing.T) {
	root := t.TempDir()
	r := fixtureRepo(t, root)
	r.Tag("v1")
	r.Branch("dev")
	devRev := r.Commit("big", map[string]string{"apps/one/big.bin": strings.Repeat("x", 2000)})
	srv := testserver.ServeGit(t, root, testserver.GitAuth{})
	for _, url := range []string{r.URL(), r.Dir, srv.URL + "/apps.git"} {
		p := New(Config{AllowLocal: true, MaxPackageBytes: 1000})
		s, err := p.Fetch(t.Context(), registry.Registry{URL: url, Ref: "dev", Path: "apps"})
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if s.Revision != devRev {
			t.Errorf("%s: revision %s, want %s", url, s.Revision, devRev)
		}
		for _, pkg := range s.Packages {
			if want := pkg.Dir == "one" || pkg.Dir == "bad"; (pkg.Err != nil) != want {
				t.Errorf("%s: package %s err %v", url, pkg.Dir, pkg.Err)
			}
		}
		s, err = p.Fetch(t.Context(), registry.Registry{URL: url, Ref: "v1", Path: "apps"})
		if err != nil || s.Revision == devRev {
			t.Errorf("%s: tag v1: %v %v", url, s, err)
		}
	}
	if _, err := New(Config{}).Fetch(t.Context(), registry.Registry{URL: r.URL()}); !fault.Is(err, fault.BadRequest) {
		t.Errorf("local registry without allowLocal: %v", err)
	}
}
