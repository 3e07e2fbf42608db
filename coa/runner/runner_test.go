package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
)

// journal records lifecycle calls in order.
type journal struct {
	mu     sync.Mutex
	events []string
}

func (j *journal) add(s string) { j.mu.Lock(); j.events = append(j.events, s); j.mu.Unlock() }
func (j *journal) list() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.events...)
}

var rec = &journal{}

type thing interface{ Thing() string }

type fakeCfg struct {
	Label     string `json:"label"`
	FailInit  bool   `json:"failInit,omitempty"`
	FailStart bool   `json:"failStart,omitempty"`
	Panic     bool   `json:"panic,omitempty"`
}

func (c *fakeCfg) Validate() error {
	if c.Label == "" {
		return config.Field("label", "required")
	}
	return nil
}

type fake struct {
	cfg       fakeCfg
	roles     []module.Role
	env       *module.Env
	reconcile chan struct{}
	eps       []endpoint.Endpoint
}

func (f *fake) ConfigTarget() any    { return &f.cfg }
func (f *fake) Roles() []module.Role { return f.roles }
func (f *fake) Thing() string        { return f.cfg.Label }
func (f *fake) Init(_ context.Context, env *module.Env) error {
	f.env = env
	rec.add("init " + f.cfg.Label)
	if f.cfg.FailInit {
		return errors.New("init failed on purpose")
	}
	return nil
}
func (f *fake) Start(context.Context) error {
	rec.add("start " + f.cfg.Label)
	if f.cfg.FailStart {
		return errors.New("start failed on purpose")
	}
	return nil
}
func (f *fake) Close(context.Context) error { rec.add("close " + f.cfg.Label); return nil }
func (f *fake) Endpoints() []endpoint.Endpoint {
	return []endpoint.Endpoint{{Method: "GET", Route: "/" + f.cfg.Label, Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
		if f.cfg.Panic {
			panic("boom")
		}
		return endpoint.Status(200), nil
	}}}
}
func (f *fake) Reconcile(context.Context) error {
	select {
	case f.reconcile <- struct{}{}:
	default:
	}
	return nil
}

// capture is a binding that remembers the endpoints it was given.
type capture struct {
	fake
}

var bindings = struct {
	sync.Mutex
	last *capture
}{}

func init() {
	module.Register(module.Registration{ID: "thing.fake", New: func() module.Module { return &fake{} }})
	module.Register(module.Registration{ID: "other.fake", New: func() module.Module { return &struct{}{} }})
	module.Register(module.Registration{ID: "thing.user", New: func() module.Module {
		return &fake{roles: []module.Role{module.Want[thing]("backend")}}
	}})
	module.Register(module.Registration{ID: "managers.fake", New: func() module.Module {
		return &fake{roles: []module.Role{module.Need[thing]("thing"), module.Want[thing]("extra")}, reconcile: make(chan struct{}, 1)}
	}})
	module.Register(module.Registration{ID: "vendors.fake", New: func() module.Module { return &fake{} }})
	module.Register(module.Registration{ID: "bindings.fake", New: func() module.Module {
		c := &capture{}
		bindings.Lock()
		bindings.last = c
		bindings.Unlock()
		return c
	}})
}

func parse(t *testing.T, doc string) (*Plan, error) {
	t.Helper()
	h, err := config.Parse("test.json", []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return Build("test.json", h)
}

const good = `{"name":"h",
 "providers":{"p1":{"type":"thing.fake","config":{"label":"p1"}},"p2":{"type":"thing.fake","config":{"label":"p2"}}},
 "vendors":[{"type":"vendors.fake","config":{"label":"v"},"managers":[{"type":"managers.fake","config":{"label":"m"},"uses":{"thing":"p2"}}]}],
 "bindings":[{"type":"bindings.fake","config":{"label":"b"}}]}`

func TestStartOrderAndReverseShutdown(t *testing.T) {
	rec = &journal{}
	plan, err := parse(t, good)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- plan.Run(ctx, Options{Started: func() { close(started) }}) }()
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := "init p1,start p1,init p2,start p2,init m,start m,init v,start v,init b,start b,close b,close v,close m,close p2,close p1"
	if got := strings.Join(rec.list(), ","); got != want {
		t.Fatalf("lifecycle order\n got %s\nwant %s", got, want)
	}
}

func TestRolesResolvedToTheNamedProvider(t *testing.T) {
	plan, err := parse(t, good)
	if err != nil {
		t.Fatal(err)
	}
	m := plan.managers[0]
	if got := m.uses["thing"].(thing).Thing(); got != "p2" {
		t.Fatalf("role thing bound to %s, want p2", got)
	}
}

func TestFailureWhileStartingStopsWhatStarted(t *testing.T) {
	for _, tc := range []struct{ name, flag, want string }{
		{"init", `"failInit":true`, "init p1,start p1,init p2,start p2,init m,start m,init v,close m,close p2,close p1"},
		{"start", `"failStart":true`, "init p1,start p1,init p2,start p2,init m,start m,init v,start v,close v,close m,close p2,close p1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec = &journal{}
			doc := strings.Replace(good, `"config":{"label":"v"}`, `"config":{"label":"v",`+tc.flag+`}`, 1)
			plan, err := parse(t, doc)
			if err != nil {
				t.Fatal(err)
			}
			err = plan.Run(context.Background(), Options{})
			if err == nil || !strings.Contains(err.Error(), "test.json: vendors[0] (vendors.fake): ") || !strings.Contains(err.Error(), "failed on purpose") {
				t.Fatalf("error = %v; want one naming the file, vendors[0] and the cause", err)
			}
			if got := strings.Join(rec.list(), ","); got != tc.want {
				t.Fatalf("lifecycle\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestConfigErrorsNameThePath(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"unknown type lists known ids", `{"name":"h","providers":{"s":{"type":"thing.nope"}}}`,
			`providers.s.type: unknown module type "thing.nope"; known thing types: thing.fake`},
		{"dangling uses", strings.Replace(good, `"thing":"p2"`, `"thing":"p9"`, 1),
			`vendors[0].managers[0].uses.thing: no provider named "p9"; declared providers: p1, p2`},
		{"missing required role", strings.Replace(good, `"uses":{"thing":"p2"}`, `"uses":{}`, 1),
			`vendors[0].managers[0].uses: missing required role "thing"`},
		{"undeclared role", strings.Replace(good, `"thing":"p2"`, `"thing":"p2","nope":"p1"`, 1),
			`vendors[0].managers[0].uses.nope: managers.fake uses no role nope; its roles: thing, extra`},
		{"wrong provider type", `{"name":"h","providers":{"o":{"type":"other.fake"},"p":{"type":"thing.fake","config":{"label":"p"}}},"vendors":[{"type":"vendors.fake","config":{"label":"v"},"managers":[{"type":"managers.fake","config":{"label":"m"},"uses":{"thing":"o"}}]}],"bindings":[{"type":"bindings.fake","config":{"label":"b"}}]}`,
			`vendors[0].managers[0].uses.thing: provider "o" is a other.fake, which is not a runner.thing`},
		{"module validate", strings.Replace(good, `"label":"m"`, `"label":""`, 1),
			`vendors[0].managers[0].config.label: required`},
		{"unknown module config field", strings.Replace(good, `"label":"m"`, `"label":"m","colour":1`, 1),
			`vendors[0].managers[0].config.colour: unknown field`},
		{"provider in vendor slot", strings.Replace(good, `"type":"vendors.fake"`, `"type":"thing.fake"`, 1),
			`vendors[0].type: thing.fake is a thing module, not a vendor`},
		{"config for a module without config", `{"name":"h","providers":{"o":{"type":"other.fake","config":{"a":1}}}}`,
			`providers.o.config: other.fake takes no config`},
		{"interval without reconcile", strings.Replace(good, `"uses":{"thing":"p2"}`, `"uses":{"thing":"p2"},"interval":"1s"`, 1), ""},
		{"no binding", `{"name":"h","vendors":[{"type":"vendors.fake","config":{"label":"v"}}]}`, `bindings: no binding serves the vendors`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(t, tc.doc)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "test.json: "+tc.want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, "test.json: "+tc.want)
			}
		})
	}
}

func TestReconcileRunsOnInterval(t *testing.T) {
	plan, err := parse(t, strings.Replace(good, `"uses":{"thing":"p2"}`, `"uses":{"thing":"p2"},"interval":"1h"`, 1))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- plan.Run(ctx, Options{}) }()
	<-plan.managers[0].mod.(*fake).reconcile // the first reconcile runs right after start
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// runUntilCleanup runs the plan of doc until the test ends and returns the
// binding it started.
func runUntilCleanup(t *testing.T, doc string) *capture {
	t.Helper()
	plan, err := parse(t, doc)
	if err != nil {
		t.Fatal(err)
	}
	runPlan(t, plan)
	bindings.Lock()
	defer bindings.Unlock()
	return bindings.last
}

// runPlan runs plan until the test ends.
func runPlan(t *testing.T, plan *Plan) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- plan.Run(ctx, Options{Started: func() { close(started) }}) }()
	<-started
	t.Cleanup(func() { cancel(); <-done })
}

func TestEndpointPanicBecomesInternalProblem(t *testing.T) {
	b := runUntilCleanup(t, strings.Replace(good, `"config":{"label":"v"}`, `"config":{"label":"v","panic":true}`, 1))
	var err error
	var h endpoint.Handler
	for _, e := range b.env.Endpoints {
		if e.Route == "/v" {
			h = e.Handler
		}
	}
	for i := 0; i < 2; i++ { // and the handler keeps serving
		_, err = h(context.Background(), &endpoint.Request{Method: "GET", Metadata: endpoint.Metadata{}})
		if !fault.Is(err, fault.Internal) {
			t.Fatalf("panic gave %v, want an internal fault", err)
		}
	}
}

func TestHealthEndpoints(t *testing.T) {
	b := runUntilCleanup(t, good)
	got := map[string]int{}
	for _, e := range b.env.Endpoints {
		if e.Route == "/healthz" || e.Route == "/readyz" {
			resp, err := e.Handler(context.Background(), &endpoint.Request{Metadata: endpoint.Metadata{}})
			if err != nil {
				t.Fatal(err)
			}
			got[e.Route] = resp.Status
		}
	}
	if fmt.Sprint(got) != "map[/healthz:200 /readyz:200]" {
		t.Fatalf("health = %v", got)
	}
}

func TestSharedManagerIsOneInstance(t *testing.T) {
	doc := strings.Replace(good, `"managers":[{"type":"managers.fake",`, `"managers":[{"name":"shared","type":"managers.fake",`, 1)
	doc = strings.Replace(doc, `]}],`, `]},{"type":"vendors.fake","config":{"label":"w"},"managers":[{"ref":"shared"}]}],`, 1)
	plan, err := parse(t, doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.managers) != 1 || plan.vendors[1].managers[0] != plan.managers[0] {
		t.Fatalf("the referenced manager is not the declared instance")
	}
	_, err = parse(t, strings.Replace(doc, `{"ref":"shared"}`, `{"ref":"nope"}`, 1))
	if err == nil || !strings.Contains(err.Error(), `vendors[1].managers[0].ref: no manager named "nope"`) {
		t.Fatalf("error = %v", err)
	}
}

func TestManagersSeeTheirVendorsOtherManagers(t *testing.T) {
	doc := strings.Replace(good, `"managers":[{"type":"managers.fake",`, `"managers":[{"name":"shared","type":"managers.fake",`, 1)
	doc = strings.Replace(doc, `]}],`, `]},{"type":"vendors.fake","config":{"label":"w"},"managers":[{"ref":"shared"},
		{"type":"managers.fake","config":{"label":"m2"},"uses":{"thing":"p1"}}]}],`, 1)
	plan, err := parse(t, doc)
	if err != nil {
		t.Fatal(err)
	}
	runPlan(t, plan)
	var shared, m2 *fake
	for _, u := range plan.managers {
		switch f := u.mod.(*fake); f.cfg.Label {
		case "m":
			shared = f
		case "m2":
			m2 = f
		}
	}
	if shared == nil || m2 == nil {
		t.Fatal("managers not found")
	}
	if len(m2.env.Managers) != 1 || m2.env.Managers[0] != shared {
		t.Errorf("m2 sees %v, want only the shared manager it references", m2.env.Managers)
	}
	if len(shared.env.Managers) != 0 {
		t.Errorf("the shared manager is declared by a vendor with no other managers, yet sees %v", shared.env.Managers)
	}
}

// A provider binds its roles to providers declared before it.
func TestProviderUses(t *testing.T) {
	const user = `"u":{"type":"thing.user","config":{"label":"u"},"uses":{%s}}`
	const p1 = `"p1":{"type":"thing.fake","config":{"label":"p1"}}`
	const o = `"o":{"type":"other.fake"}`
	doc := func(provs ...string) string { return `{"name":"h","providers":{` + strings.Join(provs, ",") + `}}` }
	plan, err := parse(t, doc(p1, fmt.Sprintf(user, `"backend":"p1"`)))
	if err != nil {
		t.Fatal(err)
	}
	if u := plan.providers[1]; u.uses["backend"] != plan.providers[0].mod {
		t.Fatalf("u uses %v, want p1", u.uses)
	}
	if d := plan.Describe(); !strings.Contains(d, "backend") {
		t.Fatalf("Describe does not show the provider's uses:\n%s", d)
	}
	for _, c := range []struct{ doc, want string }{
		{doc(fmt.Sprintf(user, `"backend":"p1"`), p1), `providers.u.uses.backend: provider "p1" is declared after "u"`},
		{doc(fmt.Sprintf(user, `"backend":"u"`)), `providers.u.uses.backend: a provider cannot use itself`},
		{doc(p1, fmt.Sprintf(user, `"nope":"p1"`)), `providers.u.uses.nope: thing.user uses no role nope`},
		{doc(o, fmt.Sprintf(user, `"backend":"o"`)), `providers.u.uses.backend: provider "o" is a other.fake`},
		{doc(p1, `"x":{"type":"thing.fake","config":{"label":"x"},"uses":{"backend":"p1"}}`), `providers.x.uses.backend: thing.fake uses no role backend`},
	} {
		_, err := parse(t, c.doc)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.doc, err, c.want)
		}
	}
}
