package fleet

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/fleet/fleettest"
	"github.com/cadenza-edge/cadenza/managers/catalog"
	"github.com/cadenza-edge/cadenza/margo/application"
)

// fakeCatalog is a Catalog in memory: registries by name, versions by
// id@version with their files. A registry whose URL contains "unreachable"
// fails its syncs (recorded as lastError, as managers.catalog does).
type fakeCatalog struct {
	mu       sync.Mutex
	regs     map[string]*fleet.Registry
	versions map[string]*fleet.ApplicationVersion // id + "@" + version
	files    map[string]map[string][]byte
}

func newFakeCatalog() *fakeCatalog {
	return &fakeCatalog{regs: map[string]*fleet.Registry{}, versions: map[string]*fleet.ApplicationVersion{}, files: map[string]map[string][]byte{}}
}

func (c *fakeCatalog) addVersion(id, version, reg string, files map[string][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.versions[id+"@"+version] = &fleet.ApplicationVersion{ID: id, Version: version, Registry: reg,
		Description: &application.Description{ID: id, Name: "App " + id, Version: version}}
	c.files[id+"@"+version] = files
}

func (c *fakeCatalog) AddRegistry(_ context.Context, s fleet.RegistrySpec) (*fleet.Registry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.Name == "" || s.URL == "" {
		return nil, fault.New(fault.BadRequest, "invalid registry").WithViolations([]fault.Violation{{Field: "url", Message: "is required"}})
	}
	if _, ok := c.regs[s.Name]; ok {
		return nil, fault.New(fault.Conflict, "registry %q already exists", s.Name)
	}
	r := &fleet.Registry{RegistrySpec: s}
	c.regs[s.Name] = r
	cp := *r
	return &cp, nil
}

func (c *fakeCatalog) Registry(_ context.Context, name string) (*fleet.Registry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.regs[name]
	if !ok {
		return nil, fault.New(fault.NotFound, "registry %q not found", name)
	}
	cp := *r
	return &cp, nil
}

func (c *fakeCatalog) Registries(context.Context) ([]fleet.Registry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []fleet.Registry
	for _, r := range c.regs {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b fleet.Registry) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (c *fakeCatalog) RemoveRegistry(_ context.Context, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.regs[name]; !ok {
		return fault.New(fault.NotFound, "registry %q not found", name)
	}
	delete(c.regs, name)
	for k, v := range c.versions {
		if v.Registry == name {
			delete(c.versions, k)
		}
	}
	return nil
}

func (c *fakeCatalog) Sync(_ context.Context, name string) (*fleet.Registry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.regs[name]
	if !ok {
		return nil, fault.New(fault.NotFound, "registry %q not found", name)
	}
	if strings.Contains(r.URL, "unreachable") {
		err := fault.New(fault.Unavailable, "fetch %s: connection refused", r.URL)
		r.LastError = &fleet.ErrorRecord{Code: fault.Unavailable, Message: err.Error()}
		cp := *r
		return &cp, err
	}
	r.LastError, r.LastRevision = nil, "rev-1"
	cp := *r
	return &cp, nil
}

// applications builds the index from the versions, by id.
func (c *fakeCatalog) applications() []fleet.Application {
	byID := map[string]*fleet.Application{}
	for _, v := range c.versions {
		a := byID[v.ID]
		if a == nil {
			a = &fleet.Application{ID: v.ID, Name: v.Description.Name}
			byID[v.ID] = a
		}
		a.Versions = append(a.Versions, fleet.VersionRef{Version: v.Version, Registry: v.Registry})
	}
	var out []fleet.Application
	for _, a := range byID {
		slices.SortFunc(a.Versions, func(x, y fleet.VersionRef) int { return strings.Compare(x.Version, y.Version) })
		a.Latest = a.Versions[len(a.Versions)-1].Version
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b fleet.Application) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (c *fakeCatalog) Applications(_ context.Context, page fleet.Page) ([]fleet.Application, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	all := c.applications()
	i, _ := slices.BinarySearchFunc(all, page.After, func(a fleet.Application, id string) int { return strings.Compare(a.ID, id) })
	if i < len(all) && all[i].ID == page.After {
		i++
	}
	all = all[i:]
	if page.Limit > 0 && len(all) > page.Limit {
		return all[:page.Limit], all[page.Limit-1].ID, nil
	}
	return all, "", nil
}

func (c *fakeCatalog) Application(_ context.Context, id string) (*fleet.Application, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.applications() {
		if a.ID == id {
			return &a, nil
		}
	}
	return nil, fault.New(fault.NotFound, "application %q not found", id)
}

func (c *fakeCatalog) Version(_ context.Context, id, version string) (*fleet.ApplicationVersion, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.versions[id+"@"+version]
	if !ok {
		return nil, fault.New(fault.NotFound, "application %q has no version %q", id, version)
	}
	cp := *v
	for name := range c.files[id+"@"+version] {
		cp.FileNames = append(cp.FileNames, name)
	}
	slices.Sort(cp.FileNames)
	return &cp, nil
}

func (c *fakeCatalog) Resource(_ context.Context, id, version, file string) ([]byte, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if strings.HasPrefix(file, "/") || slices.Contains(strings.Split(file, "/"), "..") {
		return nil, "", fault.New(fault.BadRequest, "resource path %q must be relative inside the package", file)
	}
	if _, ok := c.versions[id+"@"+version]; !ok {
		return nil, "", fault.New(fault.NotFound, "application %q has no version %q", id, version)
	}
	b, ok := c.files[id+"@"+version][file]
	if !ok {
		return nil, "", fault.New(fault.NotFound, "application %s %s has no file %q", id, version, file)
	}
	switch {
	case strings.HasSuffix(file, ".svg"):
		return b, "image/svg+xml", nil
	case strings.HasSuffix(file, ".yaml"):
		return b, "application/yaml", nil
	}
	return b, "application/octet-stream", nil
}

// newCatalogAPI is newDefaultAPI with a fake catalog among the managers.
func newCatalogAPI(t *testing.T) (*api, *fakeCatalog) {
	t.Helper()
	cat := newFakeCatalog()
	a := newAPIWith(t, `{"tokens":["`+token+`"]}`, cat)
	return a, cat
}

func TestCatalogRoutesAreAbsentWithoutACatalog(t *testing.T) {
	a := newDefaultAPI(t)
	for _, path := range []string{"/registries", "/applications", "/applications/x/versions/1/resources/margo.yaml"} {
		r := call(t, "GET", a.url+path, nil)
		if r.StatusCode != 404 {
			t.Fatalf("GET %s: %d, want 404", path, r.StatusCode)
		}
	}
	for _, e := range a.v.Endpoints() {
		if strings.Contains(e.Route, "/registries") || strings.Contains(e.Route, "/applications") {
			t.Fatalf("%s registered without a catalog", e.Route)
		}
	}
}

func TestCatalogRoutesNeedTheToken(t *testing.T) {
	a, _ := newCatalogAPI(t)
	wantProblem(t, call(t, "GET", a.url+"/registries", nil, "Authorization", "<delete>"), 401)
	wantProblem(t, call(t, "POST", a.url+"/registries", []byte(`{"name":"r","url":"https://x"}`), "Authorization", "Bearer nope"), 401)
}

func TestRegistryLifecycle(t *testing.T) {
	a, cat := newCatalogAPI(t)
	var l listOf[fleet.Registry]
	want(t, call(t, "GET", a.url+"/registries", nil), 200, &l)
	if l.Items == nil || len(l.Items) != 0 {
		t.Fatalf("%s", call(t, "GET", a.url+"/registries", nil).body)
	}

	var reg fleet.Registry
	r := call(t, "POST", a.url+"/registries", []byte(`{"name":"apps","url":"https://git.example.com/apps.git","ref":"main"}`), "Content-Type", "application/json")
	want(t, r, 201, &reg)
	if reg.Name != "apps" || reg.Ref != "main" || r.Header.Get("Location") != "/fleet/v1/registries/apps" {
		t.Fatalf("%+v Location %q", reg, r.Header.Get("Location"))
	}
	wantProblem(t, call(t, "POST", a.url+"/registries", []byte(`{"name":"apps","url":"https://x"}`)), 409)

	r = call(t, "GET", a.url+"/registries", nil)
	want(t, r, 200, &l)
	if len(l.Items) != 1 || l.Items[0].Name != "apps" || strings.Contains(string(r.body), `"next"`) {
		t.Fatalf("%s", r.body)
	}
	want(t, call(t, "GET", a.url+"/registries/apps", nil), 200, &reg)
	if reg.URL != "https://git.example.com/apps.git" {
		t.Fatalf("%+v", reg)
	}

	want(t, call(t, "POST", a.url+"/registries/apps/sync", nil), 200, &reg)
	if reg.LastRevision != "rev-1" || reg.LastError != nil {
		t.Fatalf("%+v", reg)
	}

	cat.addVersion("com-example-app", "1.0.0", "apps", nil)
	r = call(t, "DELETE", a.url+"/registries/apps", nil)
	want(t, r, 204, nil)
	if len(r.body) != 0 || len(cat.versions) != 0 {
		t.Fatalf("body %q versions %v", r.body, cat.versions)
	}
	wantProblem(t, call(t, "GET", a.url+"/registries/apps", nil), 404)
	wantProblem(t, call(t, "DELETE", a.url+"/registries/apps", nil), 404)
	wantProblem(t, call(t, "POST", a.url+"/registries/apps/sync", nil), 404)
}

func TestAddRegistryRejectsBadBodies(t *testing.T) {
	a, cat := newCatalogAPI(t)
	p := wantProblem(t, call(t, "POST", a.url+"/registries", []byte(`{"name":"apps"}`)), 400)
	if len(p.Errors) == 0 {
		t.Fatalf("no violations: %+v", p)
	}
	wantProblem(t, call(t, "POST", a.url+"/registries", []byte(`{"name":"apps","url":"https://x","password":"p"}`)), 400)
	wantProblem(t, call(t, "POST", a.url+"/registries", []byte(`{"name":`)), 400)
	wantProblem(t, call(t, "POST", a.url+"/registries", nil), 400)
	wantProblem(t, call(t, "POST", a.url+"/registries", []byte(`{"name":"apps","url":"https://x"}`), "Content-Type", "application/yaml"), 415)
	if len(cat.regs) != 0 {
		t.Fatalf("stored %v", cat.regs)
	}
}

func TestFailedSyncIs200WithLastError(t *testing.T) {
	a, _ := newCatalogAPI(t)
	want(t, call(t, "POST", a.url+"/registries", []byte(`{"name":"down","url":"https://unreachable.example.com/x.git"}`)), 201, nil)
	var reg fleet.Registry
	want(t, call(t, "POST", a.url+"/registries/down/sync", nil), 200, &reg)
	if reg.LastError == nil || reg.LastError.Code != fault.Unavailable {
		t.Fatalf("%+v", reg)
	}
}

func TestApplicationsPagedAndVersions(t *testing.T) {
	a, cat := newCatalogAPI(t)
	cat.addVersion("app-a", "1.0.0", "apps", nil)
	cat.addVersion("app-a", "1.1.0", "apps", nil)
	cat.addVersion("app-b", "2.0.0", "apps", nil)
	cat.addVersion("app-c", "0.1.0", "apps", nil)

	var l listOf[fleet.Application]
	want(t, call(t, "GET", a.url+"/applications?limit=2", nil), 200, &l)
	if len(l.Items) != 2 || l.Items[0].ID != "app-a" || l.Next == "" {
		t.Fatalf("%+v", l)
	}
	after := l.Next
	l = listOf[fleet.Application]{}
	want(t, call(t, "GET", a.url+"/applications?limit=2&after="+after, nil), 200, &l)
	if len(l.Items) != 1 || l.Items[0].ID != "app-c" || l.Next != "" {
		t.Fatalf("%+v", l)
	}
	wantProblem(t, call(t, "GET", a.url+"/applications?limit=0", nil), 400)

	var app fleet.Application
	want(t, call(t, "GET", a.url+"/applications/app-a", nil), 200, &app)
	if app.Latest != "1.1.0" || len(app.Versions) != 2 {
		t.Fatalf("%+v", app)
	}
	wantProblem(t, call(t, "GET", a.url+"/applications/nope", nil), 404)

	var ver fleet.ApplicationVersion
	want(t, call(t, "GET", a.url+"/applications/app-a/versions/1.0.0", nil), 200, &ver)
	if ver.Description == nil || ver.Description.ID != "app-a" || ver.Version != "1.0.0" {
		t.Fatalf("%+v", ver)
	}
	wantProblem(t, call(t, "GET", a.url+"/applications/app-a/versions/9.9.9", nil), 404)
}

func TestResourceIsRawBytesWithMediaType(t *testing.T) {
	a, cat := newCatalogAPI(t)
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)
	cat.addVersion("app-a", "1.0.0", "apps", map[string][]byte{"margo.yaml": []byte("id: app-a\n"), "resources/icons/app.svg": svg})

	r := call(t, "GET", a.url+"/applications/app-a/versions/1.0.0/resources/resources/icons/app.svg", nil)
	want(t, r, 200, nil)
	if string(r.body) != string(svg) || r.Header.Get("Content-Type") != "image/svg+xml" ||
		r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("%q %v", r.body, r.Header)
	}
	r = call(t, "GET", a.url+"/applications/app-a/versions/1.0.0/resources/margo.yaml", nil)
	want(t, r, 200, nil)
	if string(r.body) != "id: app-a\n" || r.Header.Get("Content-Type") != "application/yaml" {
		t.Fatalf("%q %v", r.body, r.Header)
	}
	var ver fleet.ApplicationVersion
	want(t, call(t, "GET", a.url+"/applications/app-a/versions/1.0.0", nil), 200, &ver)
	if !slices.Equal(ver.FileNames, []string{"margo.yaml", "resources/icons/app.svg"}) {
		t.Fatalf("%+v", ver.FileNames)
	}
	wantProblem(t, call(t, "GET", a.url+"/applications/app-a/versions/1.0.0/resources/missing.png", nil), 404)
	wantProblem(t, call(t, "GET", a.url+"/applications/app-a/versions/2.0.0/resources/margo.yaml", nil), 404)
	wantProblem(t, call(t, "GET", a.url+"/applications/app-a/versions/1.0.0/resources/a/%2E%2E/%2E%2E/x", nil), 400)
}

func TestInitFindsTheRealCatalogManager(t *testing.T) {
	v := &Vendor{}
	if err := config.DecodeModule("t.json", "v", []byte(`{"tokens":["`+token+`"]}`), v.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	env := &module.Env{ID: ID, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Managers: []module.Module{&fleettest.Onboarding{}, &fleettest.Capabilities{}, &fleettest.Deployments{}, &catalog.Manager{}}}
	if err := v.Init(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	if v.catalog == nil {
		t.Fatal("catalog manager not found")
	}
}
