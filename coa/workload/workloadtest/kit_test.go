package workloadtest

import (
	"slices"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/workload"
)

// The reference provider passes the kit: the kit is satisfiable.
func TestReferenceConformance(t *testing.T) {
	Run(t, func(*testing.T) workload.Provider { return newMem() }, memFixture())
}

// Every rule passes the reference under the recorder too, so a failure the
// recorder sees in TestKitCatchesBrokenProviders is the variant's doing.
func TestRecorderPassesReference(t *testing.T) {
	for _, r := range Rules() {
		rec := runRule(t, r, newMem(), memFixture())
		if rec.Failed() || rec.Skipped() {
			t.Errorf("rule %s on the reference: failed %v, skipped %v:\n%s", r.Name, rec.Failed(), rec.Skipped(), rec.Logged())
		}
	}
}

// Each broken variant fails each rule meant to catch it, for the reason
// expected.
func TestKitCatchesBrokenProviders(t *testing.T) {
	for _, v := range append(variants(), asyncVariants()...) {
		for _, name := range v.rules {
			t.Run(v.name+"/"+name, func(t *testing.T) {
				release := make(chan struct{})
				t.Cleanup(func() { close(release) })
				rec := runRule(t, ruleNamed(t, name, v.opts...), v.build(newMem(), release), memFixture())
				switch {
				case !rec.Failed():
					t.Fatalf("rule %s passed the broken provider %s (skipped %v):\n%s", name, v.name, rec.Skipped(), rec.Logged())
				case !strings.Contains(rec.Logged(), v.want):
					t.Fatalf("rule %s failed %s without saying %q:\n%s", name, v.name, v.want, rec.Logged())
				}
				t.Logf("caught as expected: %s", rec.Logged())
			})
		}
	}
}

func ruleNamed(t *testing.T, name string, opts ...Option) Rule {
	t.Helper()
	for _, r := range Rules(opts...) {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no rule named %q", name)
	return Rule{}
}

func TestRuleNamesAreUnique(t *testing.T) {
	var names []string
	for _, r := range Rules() {
		if r.Name == "" || slices.Contains(names, r.Name) {
			t.Fatalf("rule name %q is empty or repeated", r.Name)
		}
		names = append(names, r.Name)
	}
}

// Optional fixture parts and SkipConcurrent skip their rules, and only them.
func TestOptionalRulesSkip(t *testing.T) {
	fx := memFixture()
	fx.Verify, fx.NeverReady = nil, workload.Component{}
	optional := []string{"InstalledComponentVerifies", "NeverReadyTimesOut", "ConcurrentApplies"}
	for _, r := range Rules(SkipConcurrent("one runtime lock")) {
		rec := runRule(t, r, newMem(), fx)
		if want := slices.Contains(optional, r.Name); rec.Skipped() != want || rec.Failed() {
			t.Errorf("rule %s: skipped %v (want %v), failed %v:\n%s", r.Name, rec.Skipped(), want, rec.Failed(), rec.Logged())
		}
	}
}

// An unusable fixture fails every rule up front, naming the problem.
func TestInvalidFixture(t *testing.T) {
	for name, edit := range map[string]func(*Fixture){
		"no base revision":       func(fx *Fixture) { fx.Base.Revision = "" },
		"upgrade renames":        func(fx *Fixture) { fx.Upgraded.Name = "other" },
		"upgrade changes naught": func(fx *Fixture) { fx.Upgraded = cloneComponent(fx.Base) },
		"no broken":              func(fx *Fixture) { fx.Broken = workload.Component{} },
		"never-ready no wait":    func(fx *Fixture) { fx.NeverReady.Wait = false },
	} {
		fx := memFixture()
		edit(&fx)
		if fx.Validate() == nil {
			t.Errorf("%s: Validate accepted the fixture", name)
		}
		rec := runRule(t, Rules()[0], newMem(), fx)
		if !rec.Failed() || !strings.Contains(rec.Logged(), "invalid Fixture") {
			t.Errorf("%s: the rule did not reject the fixture:\n%s", name, rec.Logged())
		}
	}
	if err := memFixture().Validate(); err != nil {
		t.Fatalf("the reference fixture is invalid: %v", err)
	}
}

func BenchmarkReferenceApply(b *testing.B) {
	BenchApply(b, newMem(), memFixture().Base)
}

func BenchmarkReferenceInstallRemove(b *testing.B) {
	BenchInstallRemove(b, newMem(), memFixture().Base)
}
