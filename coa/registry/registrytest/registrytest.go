// Package registrytest is the conformance kit for registry.Provider
// implementations (registry.git, a contributor's).
//
// A provider runs it from its own _test.go against a source it prepared:
//
//	func TestConformance(t *testing.T) {
//		registrytest.Run(t, newProvider(t), registrytest.Fixture{...})
//	}
//
// Every rule is one named subtest. The kit pins down what the contract
// leaves open: two fetches of an unchanged source return the same Revision
// and the same files; Dir is relative to Registry.Path and packages come
// sorted by Dir; a missing ref or path is NotFound; a malformed URL is
// BadRequest; wrong credentials are Unauthorized; an unreachable source is
// Unavailable; a canceled context fails the call promptly.
package registrytest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/registry"
)

// Timeout bounds each Fetch of the kit (a hang detector).
const Timeout = time.Minute

// Fixture describes the source the provider is checked against.
type Fixture struct {
	// Registry is a readable registry holding Packages.
	Registry registry.Registry
	// Packages maps each package Dir to the files it must hold (contents
	// compared when non-nil).
	Packages map[string]map[string][]byte
	// Broken lists the Dirs of packages that must come with Err set.
	Broken []string
	// BadURL is a malformed URL (required).
	BadURL string
	// Unauthorized, when set, is Registry with wrong or missing credentials.
	Unauthorized *registry.Registry
	// Unreachable, when set, is a registry nothing answers.
	Unreachable *registry.Registry
}

// Run checks p against every rule.
func Run(t *testing.T, p registry.Provider, fx Fixture) {
	t.Helper()
	if fx.Registry.URL == "" || fx.BadURL == "" || len(fx.Packages) == 0 {
		t.Fatal("registrytest: Fixture needs Registry, BadURL and Packages")
	}
	rules := []struct {
		name string
		run  func(t *testing.T, p registry.Provider, fx Fixture)
	}{
		{"FetchListsPackages", fetchLists},
		{"FetchIsStable", fetchStable},
		{"MissingRefIsNotFound", missingRef},
		{"MissingPathIsNotFound", missingPath},
		{"BadURLIsBadRequest", badURL},
		{"WrongCredentialsAreUnauthorized", unauthorized},
		{"UnreachableIsUnavailable", unreachable},
		{"CanceledContextFails", canceled},
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) { r.run(t, p, fx) })
	}
}

func fetch(t *testing.T, p registry.Provider, reg registry.Registry) (*registry.Snapshot, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), Timeout)
	defer cancel()
	return p.Fetch(ctx, reg)
}

func fetchLists(t *testing.T, p registry.Provider, fx Fixture) {
	s, err := fetch(t, p, fx.Registry)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if s.Revision == "" {
		t.Error("empty Revision")
	}
	if !slices.IsSortedFunc(s.Packages, func(a, b registry.Package) int { return strings.Compare(a.Dir, b.Dir) }) {
		t.Error("packages are not sorted by Dir")
	}
	got := map[string]registry.Package{}
	for _, pkg := range s.Packages {
		got[pkg.Dir] = pkg
	}
	for dir, files := range fx.Packages {
		pkg, ok := got[dir]
		switch {
		case !ok:
			t.Errorf("package %q missing", dir)
			continue
		case pkg.Err != nil:
			t.Errorf("package %q: %v", dir, pkg.Err)
			continue
		}
		if _, ok := pkg.Files[registry.DescriptionFile]; !ok {
			t.Errorf("package %q has no %s", dir, registry.DescriptionFile)
		}
		for name, want := range files {
			if b, ok := pkg.Files[name]; !ok || want != nil && !bytes.Equal(b, want) {
				t.Errorf("package %q file %q: got %q (present %v)", dir, name, b, ok)
			}
		}
	}
	for _, dir := range fx.Broken {
		if pkg, ok := got[dir]; !ok || pkg.Err == nil {
			t.Errorf("package %q should be reported broken", dir)
		}
	}
}

func fetchStable(t *testing.T, p registry.Provider, fx Fixture) {
	a, err := fetch(t, p, fx.Registry)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fetch(t, p, fx.Registry)
	if err != nil {
		t.Fatal(err)
	}
	if a.Revision != b.Revision || len(a.Packages) != len(b.Packages) {
		t.Fatalf("unchanged source gave %s (%d packages) then %s (%d)", a.Revision, len(a.Packages), b.Revision, len(b.Packages))
	}
}

func wantCode(t *testing.T, what string, err error, code fault.Code) {
	t.Helper()
	if !fault.Is(err, code) {
		t.Fatalf("%s: got %v (code %q), want %s", what, err, fault.CodeOf(err), code)
	}
}

func missingRef(t *testing.T, p registry.Provider, fx Fixture) {
	reg := fx.Registry
	reg.Ref = "no-such-ref-registrytest"
	_, err := fetch(t, p, reg)
	wantCode(t, "missing ref", err, fault.NotFound)
}

func missingPath(t *testing.T, p registry.Provider, fx Fixture) {
	reg := fx.Registry
	reg.Path = strings.Trim(reg.Path+"/no-such-path-registrytest", "/")
	_, err := fetch(t, p, reg)
	wantCode(t, "missing path", err, fault.NotFound)
}

func badURL(t *testing.T, p registry.Provider, fx Fixture) {
	_, err := fetch(t, p, registry.Registry{URL: fx.BadURL})
	wantCode(t, "bad URL", err, fault.BadRequest)
}

func unauthorized(t *testing.T, p registry.Provider, fx Fixture) {
	if fx.Unauthorized == nil {
		t.Skip("fixture has no Unauthorized registry")
	}
	_, err := fetch(t, p, *fx.Unauthorized)
	wantCode(t, "wrong credentials", err, fault.Unauthorized)
}

func unreachable(t *testing.T, p registry.Provider, fx Fixture) {
	if fx.Unreachable == nil {
		t.Skip("fixture has no Unreachable registry")
	}
	_, err := fetch(t, p, *fx.Unreachable)
	wantCode(t, "unreachable", err, fault.Unavailable)
}

func canceled(t *testing.T, p registry.Provider, fx Fixture) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	_, err := p.Fetch(ctx, fx.Registry)
	if err == nil {
		t.Fatal("Fetch with a canceled context succeeded")
	}
	if !errors.Is(err, context.Canceled) && !fault.Is(err, fault.Canceled) {
		t.Errorf("error %v neither wraps context.Canceled nor carries fault.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to return", d)
	}
}
