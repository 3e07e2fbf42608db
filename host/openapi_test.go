package main

// The API reference, docs/api/openapi.yaml, must describe exactly the HTTP
// routes Cadenza hosts serve: the Margo device API (vendors.margo) and the
// operator API (vendors.fleet) of a WFM, the device agent's local API
// (vendors.agent) and the host's own endpoints (/healthz, /readyz,
// /metrics). These tests compare the document's operations with the routes
// the code registers, both ways, check that each operation is tagged with
// the group of the module serving it, that the agent's response schemas
// name exactly the members of the JSON views they describe, and check the
// document's shape.

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/runner"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/fleet/fleettest"
	"github.com/cadenza-edge/cadenza/managers/sync"
	"github.com/cadenza-edge/cadenza/telemetry"
	_ "github.com/cadenza-edge/cadenza/vendors/agent"
)

// openAPIFile is the document under test, relative to this package.
const openAPIFile = "../docs/api/openapi.yaml"

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// routeExtension names the operation member that says which registered
// route serves an operation documented under a more specific path (the
// device history, served by the catch-all device route).
const routeExtension = "x-cadenza-route"

// apiRoute is one method and route template, parameters written {name}.
type apiRoute struct{ Method, Path string }

func (r apiRoute) String() string { return r.Method + " " + r.Path }

// routeParam matches a router parameter with a modifier: {name:*}
// (catch-all), {name:regex} or {name?}.
var routeParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)(?::[^{}]*|\?)\}`)

// normaliseRoute writes every router parameter as the plain {name} of an
// OpenAPI path template.
func normaliseRoute(route string) string { return routeParam.ReplaceAllString(route, "{$1}") }

// loadOpenAPI reads and parses the document.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatalf("read the API reference: %v", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s is not valid YAML: %v", openAPIFile, err)
	}
	return doc
}

// docOperation is one operation of the document.
type docOperation struct {
	method, path string // as written in the document
	op           map[string]any
}

// operations lists the document's operations in path and method order.
func operations(t *testing.T, doc map[string]any) []docOperation {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok || len(paths) == 0 {
		t.Fatalf("%s has no paths", openAPIFile)
	}
	var out []docOperation
	for _, p := range sortedMapKeys(paths) {
		item, ok := paths[p].(map[string]any)
		if !ok {
			t.Errorf("paths[%q] is not a path item object", p)
			continue
		}
		for _, m := range openAPIMethods {
			if v, ok := item[m]; ok {
				op, ok := v.(map[string]any)
				if !ok {
					t.Errorf("%s %s is not an operation object", strings.ToUpper(m), p)
					continue
				}
				out = append(out, docOperation{method: strings.ToUpper(m), path: p, op: op})
			}
		}
	}
	return out
}

// routeOf is the registered route that serves a documented operation: its
// path, or its x-cadenza-route. ok is false (and the error reported) for an
// x-cadenza-route that is not allowed.
func routeOf(t *testing.T, o docOperation) (r apiRoute, ok bool) {
	t.Helper()
	path := o.path
	if v, ok := o.op[routeExtension]; ok {
		r, _ := v.(string)
		// The escape hatch is narrow: a catch-all route, documented under
		// a path that extends it.
		if !strings.HasSuffix(r, ":*}") || !strings.HasPrefix(o.path, normaliseRoute(r)+"/") {
			t.Errorf("%s %s: %s %q must be a catch-all route ({name:*}) that the documented path extends", o.method, o.path, routeExtension, r)
			return apiRoute{}, false
		}
		path = r
	}
	return apiRoute{o.method, normaliseRoute(path)}, true
}

// documentedRoutes maps each route the document describes to the
// operationIds describing it.
func documentedRoutes(t *testing.T) map[apiRoute][]string {
	t.Helper()
	out := map[apiRoute][]string{}
	for _, o := range operations(t, loadOpenAPI(t)) {
		key, ok := routeOf(t, o)
		if !ok {
			continue
		}
		id, _ := o.op["operationId"].(string)
		out[key] = append(out[key], id)
	}
	return out
}

// sourceTags is the document tag of each group of served routes.
var sourceTags = map[string]string{
	"vendors.margo": "device",
	"vendors.fleet": "operator",
	"vendors.agent": "agent",
	"host":          "host",
}

// servedRoute is the module serving a route (a key of sourceTags) and the
// endpoint's name.
type servedRoute struct{ source, name string }

func (s servedRoute) String() string { return s.source + " " + s.name }

// servedRoutes maps each route a WFM host or a device agent host registers
// to the module and endpoint serving it. The two hosts serve the same host
// endpoints; their vendors' routes must not collide.
func servedRoutes(t *testing.T) map[apiRoute]servedRoute {
	t.Helper()
	out := map[apiRoute]servedRoute{}
	add := func(source string, eps []endpoint.Endpoint) {
		if len(eps) == 0 {
			t.Fatalf("%s serves no endpoint", source)
		}
		for _, e := range eps {
			r := apiRoute{e.Method, normaliseRoute(e.Route)}
			if prev, dup := out[r]; dup {
				t.Fatalf("%s is served by both %s and %s %s", r, prev, source, e.OperationName())
			}
			out[r] = servedRoute{source, e.OperationName()}
		}
	}
	add("vendors.margo", margoEndpoints(t))
	add("vendors.fleet", fleetEndpoints(t))
	add("vendors.agent", vendorEndpoints(t, "vendors.agent", `{}`))
	add("host", hostEndpoints(t))
	return out
}

// vendorEndpoints constructs a vendor through the registry with its default
// prefix and returns its endpoints. These vendors need no Init for that:
// Endpoints reads only the config (vendors.agent only its prefix), and the
// handlers reach the managers (vendors.agent: its managers.sync) only when
// called. vendors.fleet, whose catalog routes depend on its managers, is
// built by fleetEndpoints.
func vendorEndpoints(t *testing.T, id, cfg string) []endpoint.Endpoint {
	t.Helper()
	reg, err := module.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	m := reg.New()
	c, ok := m.(module.Configurable)
	if !ok {
		t.Fatalf("%s takes no config", id)
	}
	if err := config.DecodeModule("t.json", "x", []byte(cfg), c.ConfigTarget()); err != nil {
		t.Fatalf("%s config %s: %v", id, cfg, err)
	}
	src, ok := m.(module.EndpointSource)
	if !ok {
		t.Fatalf("%s is not an endpoint source", id)
	}
	return src.Endpoints()
}

// identityManager is a managers.identity constructed through the registry
// and configured, not initialised: vendors keep it (found by type,
// module.Manager[fleet.Identity]) and call it only from handlers.
func identityManager(t *testing.T) module.Module {
	t.Helper()
	m := newConfigured(t, "managers.identity", `{"trustDomain": "plant.example"}`)
	if _, ok := m.(fleet.Identity); !ok {
		t.Fatal("managers.identity does not implement fleet.Identity")
	}
	return m
}

// margoEndpoints returns the endpoints of a vendors.margo that has an
// identity manager among its managers, so the rc.3 Margo Identity Service
// routes are served and checked too.
func margoEndpoints(t *testing.T) []endpoint.Endpoint {
	t.Helper()
	v := newConfigured(t, "vendors.margo", `{}`)
	env := &module.Env{ID: "vendors.margo", Logger: slog.New(slog.DiscardHandler),
		Managers: []module.Module{&fleettest.Onboarding{}, &fleettest.Capabilities{}, &fleettest.Deployments{}, identityManager(t)}}
	if err := v.(module.Initer).Init(context.Background(), env); err != nil {
		t.Fatalf("init vendors.margo with an identity manager: %v", err)
	}
	return v.(module.EndpointSource).Endpoints()
}

// fleetEndpoints returns the endpoints of a vendors.fleet that has a
// managers.catalog and a managers.rollout among its managers, so that the
// optional catalog and deployment (rollout) routes are served and checked
// too. The vendor looks its managers up at Init: it gets the fleettest
// fakes, and a catalog and a rollout manager constructed through the
// registry, configured but not initialised (the vendor only keeps them:
// it finds them by type, module.Manager[fleet.Rollouts] for the rollouts).
func fleetEndpoints(t *testing.T) []endpoint.Endpoint {
	t.Helper()
	v := newConfigured(t, "vendors.fleet", `{"tokens": ["t"]}`)
	cat := newConfigured(t, "managers.catalog", `{}`)
	rollouts := newConfigured(t, "managers.rollout", `{}`)
	if _, ok := rollouts.(fleet.Rollouts); !ok {
		t.Fatal("managers.rollout does not implement fleet.Rollouts")
	}
	env := &module.Env{ID: "vendors.fleet", Logger: slog.New(slog.DiscardHandler),
		Managers: []module.Module{&fleettest.Onboarding{}, &fleettest.Capabilities{}, &fleettest.Deployments{}, cat, rollouts, identityManager(t)}}
	if err := v.(module.Initer).Init(context.Background(), env); err != nil {
		t.Fatalf("init vendors.fleet with a catalog and a rollout manager: %v", err)
	}
	eps := v.(module.EndpointSource).Endpoints()
	if !slices.ContainsFunc(eps, func(e endpoint.Endpoint) bool { return strings.HasSuffix(e.Route, "/applications") }) {
		t.Fatal("vendors.fleet with managers.catalog serves no catalog route")
	}
	prefix := "/fleet/v1" // the default prefix
	for _, want := range []apiRoute{{"POST", prefix + "/deployments"}, {"GET", prefix + "/eligibility"}} {
		if !slices.ContainsFunc(eps, func(e endpoint.Endpoint) bool { return e.Method == want.Method && e.Route == want.Path }) {
			t.Fatalf("vendors.fleet with managers.rollout does not serve %s", want)
		}
	}
	return eps
}

// newConfigured constructs a module through the registry and decodes cfg
// into its config.
func newConfigured(t *testing.T, id, cfg string) module.Module {
	t.Helper()
	reg, err := module.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	m := reg.New()
	c, ok := m.(module.Configurable)
	if !ok {
		t.Fatalf("%s takes no config", id)
	}
	if err := config.DecodeModule("t.json", "x", []byte(cfg), c.ConfigTarget()); err != nil {
		t.Fatalf("%s config %s: %v", id, cfg, err)
	}
	return m
}

// captureBinding is the id of a binding that only records the endpoints the
// runner hands to bindings.
const captureBinding = "bindings.openapitest"

// captured receives the endpoints of each captureBinding Init.
var captured = make(chan []endpoint.Endpoint, 4)

type endpointCapture struct{}

func init() {
	module.Register(module.Registration{ID: captureBinding, New: func() module.Module { return endpointCapture{} },
		Summary: "test binding that records the host's endpoints"})
}

func (endpointCapture) Init(_ context.Context, env *module.Env) error {
	select {
	case captured <- env.Endpoints:
	default:
	}
	return nil
}

// hostEndpoints returns the host's own endpoints as the runner serves them:
// a host with no vendor and Prometheus enabled (the path cmdRun takes) is
// started, and the capture binding records what it would serve.
func hostEndpoints(t *testing.T) []endpoint.Endpoint {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tel, err := telemetry.Setup(ctx, "t.json", "openapi", json.RawMessage(`{"prometheus": {"enabled": true}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tel.Shutdown(context.Background()) }()
	plan, err := runner.Build("t.json", &config.Host{Name: "openapi", Bindings: []config.Instance{{Type: captureBinding}}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	opts := runner.Options{Logger: slog.New(slog.DiscardHandler), Tracer: tel.Tracer, Meter: tel.Meter, Extra: tel.Endpoints, Started: stop}
	if err := plan.Run(runCtx, opts); err != nil {
		t.Fatalf("run a host with only the capture binding: %v", err)
	}
	select {
	case eps := <-captured:
		return eps
	default:
		t.Fatal("the capture binding was not initialised")
		return nil
	}
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	documented := documentedRoutes(t)
	var missing []string
	for r, name := range servedRoutes(t) {
		if _, ok := documented[r]; !ok {
			missing = append(missing, fmt.Sprintf("%s (%s)", r, name))
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("%s does not document %d served route(s):\n  %s", openAPIFile, len(missing), strings.Join(missing, "\n  "))
	}
}

func TestOpenAPIDocumentsNoRouteTheCodeLacks(t *testing.T) {
	served := servedRoutes(t)
	var extra []string
	for r, ids := range documentedRoutes(t) {
		if _, ok := served[r]; !ok {
			extra = append(extra, fmt.Sprintf("%s (operationId %s)", r, strings.Join(ids, ", ")))
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		t.Errorf("%s documents %d route(s) the code does not serve:\n  %s", openAPIFile, len(extra), strings.Join(extra, "\n  "))
	}
}

func TestOpenAPITagsMatchServingModule(t *testing.T) {
	served := servedRoutes(t)
	doc := loadOpenAPI(t)
	for _, o := range operations(t, doc) {
		r, ok := routeOf(t, o)
		if !ok {
			continue
		}
		s, ok := served[r]
		if !ok {
			continue // reported by TestOpenAPIDocumentsNoRouteTheCodeLacks
		}
		want := sourceTags[s.source]
		tags, _ := o.op["tags"].([]any)
		if len(tags) != 1 || tags[0] != want {
			t.Errorf("%s %s (served by %s) has tags %v, want [%s]", o.method, o.path, s, tags, want)
		}
	}
	declared := map[string]bool{}
	list, _ := doc["tags"].([]any)
	for _, tag := range list {
		m, _ := tag.(map[string]any)
		name, _ := m["name"].(string)
		declared[name] = true
		if d, _ := m["description"].(string); d == "" {
			t.Errorf("tag %q has no description", name)
		}
	}
	for _, want := range sourceTags {
		if !declared[want] {
			t.Errorf("tag %q is not declared under tags", want)
		}
	}
}

// TestOpenAPIAgentSchemasMatchViews checks that the schemas of the agent's
// responses have exactly the JSON members of the managers.sync views the
// agent encodes, and require exactly those that are always written.
func TestOpenAPIAgentSchemasMatchViews(t *testing.T) {
	doc := loadOpenAPI(t)
	for schema, view := range map[string]reflect.Type{
		"AgentStatus":     reflect.TypeFor[sync.StatusView](),
		"AgentDeployment": reflect.TypeFor[sync.DeploymentView](),
		"AgentComponent":  reflect.TypeFor[sync.ComponentView](),
		"AgentError":      reflect.TypeFor[sync.ErrorRecord](),
	} {
		s, ok := resolveRef(doc, "#/components/schemas/"+schema).(map[string]any)
		if !ok {
			t.Errorf("components.schemas.%s is missing", schema)
			continue
		}
		props, _ := s["properties"].(map[string]any)
		var wantProps, wantRequired, gotRequired []string
		for i := range view.NumField() {
			f := view.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			wantProps = append(wantProps, name)
			if !slices.ContainsFunc(strings.Split(opts, ","), func(o string) bool { return o == "omitempty" || o == "omitzero" }) {
				wantRequired = append(wantRequired, name)
			}
		}
		req, _ := s["required"].([]any)
		for _, r := range req {
			name, _ := r.(string)
			gotRequired = append(gotRequired, name)
		}
		gotProps := sortedMapKeys(props)
		slices.Sort(wantProps)
		slices.Sort(wantRequired)
		slices.Sort(gotRequired)
		if !slices.Equal(gotProps, wantProps) {
			t.Errorf("components.schemas.%s has properties %v; %s encodes %v", schema, gotProps, view, wantProps)
		}
		if !slices.Equal(gotRequired, wantRequired) {
			t.Errorf("components.schemas.%s requires %v; %s always writes %v", schema, gotRequired, view, wantRequired)
		}
	}
}

func TestOpenAPIDocumentIsWellFormed(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !regexp.MustCompile(`^3\.1\.\d+$`).MatchString(v) {
		t.Errorf("openapi is %q, want 3.1.x", doc["openapi"])
	}
	if info, _ := doc["info"].(map[string]any); info["title"] == nil || info["version"] == nil {
		t.Error("info needs a title and a version")
	}
	seen := map[string]string{}
	for _, o := range operations(t, doc) {
		name := o.method + " " + o.path
		id, _ := o.op["operationId"].(string)
		switch prev, dup := seen[id]; {
		case id == "":
			t.Errorf("%s has no operationId", name)
		case dup:
			t.Errorf("%s reuses operationId %q of %s", name, id, prev)
		default:
			seen[id] = name
		}
		if resp, _ := o.op["responses"].(map[string]any); len(resp) == 0 {
			t.Errorf("%s has no responses", name)
		}
		checkPathParams(t, doc, o)
	}
	checkRefs(t, doc, doc, "#")
	checkNoNulls(t, doc, "#")
}

// checkNoNulls reports members whose value is null other than const,
// default and example: in a flow mapping, an unquoted comma inside a value
// ({description: a, b}) silently starts a member "b" with a null value.
func checkNoNulls(t *testing.T, v any, at string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for _, k := range sortedMapKeys(v) {
			if v[k] == nil && k != "const" && k != "default" && k != "example" {
				t.Errorf("%s/%s is null (an unquoted comma in a flow mapping?)", at, k)
			}
			checkNoNulls(t, v[k], at+"/"+k)
		}
	case []any:
		for i, e := range v {
			checkNoNulls(t, e, fmt.Sprintf("%s/%d", at, i))
		}
	}
}

// templateParam matches a parameter of an OpenAPI path template.
var templateParam = regexp.MustCompile(`\{([^{}]+)\}`)

// checkPathParams reports template parameters without an "in: path"
// declaration (path item or operation) and declarations the template lacks.
func checkPathParams(t *testing.T, doc map[string]any, o docOperation) {
	t.Helper()
	paths, _ := doc["paths"].(map[string]any)
	item, _ := paths[o.path].(map[string]any)
	declared := map[string]bool{}
	for _, list := range []any{item["parameters"], o.op["parameters"]} {
		params, _ := list.([]any)
		for _, p := range params {
			pm, _ := p.(map[string]any)
			if ref, ok := pm["$ref"].(string); ok {
				pm, _ = resolveRef(doc, ref).(map[string]any)
			}
			if pm["in"] == "path" {
				name, _ := pm["name"].(string)
				declared[name] = true
			}
		}
	}
	inTemplate := map[string]bool{}
	for _, m := range templateParam.FindAllStringSubmatch(o.path, -1) {
		inTemplate[m[1]] = true
		if !declared[m[1]] {
			t.Errorf("%s %s: path parameter {%s} is not declared", o.method, o.path, m[1])
		}
	}
	for name := range declared {
		if !inTemplate[name] {
			t.Errorf("%s %s: declares path parameter %q that the path lacks", o.method, o.path, name)
		}
	}
}

// checkRefs reports every "$ref" under v that does not resolve in doc. Only
// references inside the document are allowed.
func checkRefs(t *testing.T, doc map[string]any, v any, at string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && resolveRef(doc, ref) == nil {
			t.Errorf("%s: $ref %q does not resolve inside the document", at, ref)
		}
		for _, k := range sortedMapKeys(v) {
			checkRefs(t, doc, v[k], at+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"))
		}
	case []any:
		for i, e := range v {
			checkRefs(t, doc, e, fmt.Sprintf("%s/%d", at, i))
		}
	}
}

// resolveRef follows a local JSON pointer reference ("#/a/b"); nil when it
// does not resolve.
func resolveRef(doc map[string]any, ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var cur any = doc
	for tok := range strings.SplitSeq(rest, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[tok]; !ok {
			return nil
		}
	}
	return cur
}

func sortedMapKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
