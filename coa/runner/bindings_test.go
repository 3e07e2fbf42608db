package runner

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/module"
)

// lister binds a list role "things" and refuses two things with the same
// label (its BindingChecker).
type lister struct {
	fake
	got []thing
}

func (l *lister) Roles() []module.Role { return []module.Role{module.List[thing]("things")} }
func (l *lister) Init(ctx context.Context, env *module.Env) error {
	l.got = module.UseList[thing](env, "things")
	return l.fake.Init(ctx, env)
}
func (l *lister) CheckBindings(uses map[string][]module.Bound) error {
	seen := map[string]string{}
	for _, b := range uses["things"] {
		label := b.Module.(thing).Thing()
		if other, dup := seen[label]; dup {
			return &module.RoleError{Role: "things", Reason: "providers " + other + " and " + b.Name + " both claim " + label}
		}
		seen[label] = b.Name
	}
	return nil
}

// needer needs a sibling manager that is a thing lister.
type needer struct{ fake }

type thingLister interface {
	CheckBindings(map[string][]module.Bound) error
}

func (n *needer) Siblings() []module.Role { return []module.Role{module.Need[thingLister]("lister")} }

func init() {
	module.Register(module.Registration{ID: "managers.lister", New: func() module.Module { return &lister{} }})
	module.Register(module.Registration{ID: "managers.needer", New: func() module.Module { return &needer{} }})
}

const listDoc = `{"name":"h",
 "providers":{"a":{"type":"thing.fake","config":{"label":"A"}},"b":{"type":"thing.fake","config":{"label":"B"}},"c":{"type":"thing.fake","config":{"label":"A"}}},
 "vendors":[{"type":"vendors.fake","config":{"label":"v"},"managers":[
   {"type":"managers.lister","config":{"label":"l"},"uses":{"things":["b","a"]}},
   {"type":"managers.needer","config":{"label":"n"}}]}],
 "bindings":[{"type":"bindings.fake","config":{"label":"b"}}]}`

func TestListRoleBindsProvidersInConfigOrder(t *testing.T) {
	plan, err := parse(t, listDoc)
	if err != nil {
		t.Fatal(err)
	}
	if d := plan.Describe(); !strings.Contains(d, "uses things=b+a") {
		t.Fatalf("Describe does not show the list:\n%s", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- plan.Run(ctx, Options{Started: cancel}) }()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	l := plan.managers[0].mod.(*lister)
	if len(l.got) != 2 || l.got[0].Thing() != "B" || l.got[1].Thing() != "A" {
		t.Fatalf("lister got %v, want B then A", l.got)
	}
}

func TestListRoleErrors(t *testing.T) {
	for _, c := range []struct{ name, from, to, want string }{
		{"binding checker names the role", `["b","a"]`, `["a","c"]`, `vendors[0].managers[0].uses.things: providers a and c both claim A`},
		{"unknown name carries its index", `["b","a"]`, `["b","zz"]`, `vendors[0].managers[0].uses.things[1]: no provider named "zz"`},
		{"listed twice", `["b","a"]`, `["a","a"]`, `vendors[0].managers[0].uses.things[1]: provider "a" is listed twice`},
		{"one name is a list of one", `["b","a"]`, `"a"`, ``},
		{"single role refuses a list", `{"name":"h","providers":{"a":{"type":"thing.fake","config":{"label":"A"}}},"vendors":[{"type":"vendors.fake","config":{"label":"v"},"managers":[{"type":"managers.fake","config":{"label":"m"},"uses":{"thing":["a","a"]}}]}],"bindings":[{"type":"bindings.fake","config":{"label":"b"}}]}`, ``,
			`vendors[0].managers[0].uses.thing: role "thing" binds exactly one provider`},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := c.from
			if c.to != "" || c.want == "" {
				doc = strings.Replace(listDoc, c.from, c.to, 1)
			}
			_, err := parse(t, doc)
			if c.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "test.json: "+c.want) {
				t.Fatalf("error = %v\nwant %q", err, c.want)
			}
		})
	}
}

func TestMissingSiblingIsAConfigError(t *testing.T) {
	doc := strings.Replace(listDoc, `{"type":"managers.lister","config":{"label":"l"},"uses":{"things":["b","a"]}},`, ``, 1)
	_, err := parse(t, doc)
	want := `test.json: vendors[0].managers[0]: managers.needer needs a manager implementing runner.thingLister (a lister) beside it in vendors[0].managers`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v\nwant %q", err, want)
	}
}

// A module that does not build is reported once: the references to it and
// the siblings that depend on it add no errors of their own.
func TestConfigErrorsReportTheRootCauseOnly(t *testing.T) {
	for _, c := range []struct{ name, from, to, want string }{
		{"bad provider config", `"a":{"type":"thing.fake","config":{"label":"A"}}`, `"a":{"type":"thing.fake","config":{"label":""}}`, `providers.a.config.label: required`},
		{"unknown provider type", `"a":{"type":"thing.fake","config":{"label":"A"}}`, `"a":{"type":"thing.nope"}`, `providers.a.type: unknown module type`},
		{"bad sibling config", `"config":{"label":"l"}`, `"config":{"label":""}`, `vendors[0].managers[0].config.label: required`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(t, strings.Replace(listDoc, c.from, c.to, 1))
			var list interface{ Unwrap() []error }
			if err == nil || !strings.Contains(err.Error(), "test.json: "+c.want) {
				t.Fatalf("error = %v\nwant %q", err, c.want)
			}
			if errors.As(err, &list) && len(list.Unwrap()) != 1 {
				t.Fatalf("%d errors, want the root cause only:\n%v", len(list.Unwrap()), err)
			}
			if n := strings.Count(err.Error(), "test.json:"); n != 1 {
				t.Fatalf("%d errors, want the root cause only:\n%v", n, err)
			}
		})
	}
}

func TestNamedManagerThatFailsIsNotReportedAsMissing(t *testing.T) {
	doc := `{"name":"h","providers":{"a":{"type":"thing.fake","config":{"label":"A"}}},
	 "vendors":[{"type":"vendors.fake","config":{"label":"v"},"managers":[{"name":"shared","type":"managers.lister","config":{"label":""},"uses":{"things":["a"]}}]},
	            {"type":"vendors.fake","config":{"label":"w"},"managers":[{"ref":"shared"},{"type":"managers.needer","config":{"label":"n"}}]}],
	 "bindings":[{"type":"bindings.fake","config":{"label":"b"}}]}`
	_, err := parse(t, doc)
	if err == nil || strings.Count(err.Error(), "test.json:") != 1 || !strings.Contains(err.Error(), "vendors[0].managers[0].config.label: required") {
		t.Fatalf("error = %v\nwant only vendors[0].managers[0].config.label", err)
	}
}
