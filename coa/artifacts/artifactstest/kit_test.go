package artifactstest

import (
	"slices"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
)

// The reference puller passes the kit: the kit is satisfiable.
func TestReferenceConformance(t *testing.T) {
	reg, fx := newMemRegistry()
	Run(t, func(t *testing.T) artifacts.Puller { return newMemPuller(t, reg) }, fx)
}

// Every rule passes the reference under the recorder too, so a failure the
// recorder sees in TestKitCatchesBrokenPullers is the variant's doing.
func TestRecorderPassesReference(t *testing.T) {
	reg, fx := newMemRegistry()
	for _, r := range Rules() {
		rec := runRule(t, r, newMemPuller(t, reg), fx)
		if rec.Failed() || rec.Skipped() {
			t.Errorf("rule %s on the reference: failed %v, skipped %v:\n%s", r.Name, rec.Failed(), rec.Skipped(), rec.Logged())
		}
	}
}

// Each broken variant fails each rule meant to catch it, for the reason
// expected.
func TestKitCatchesBrokenPullers(t *testing.T) {
	for _, v := range variants() {
		for _, name := range v.rules {
			t.Run(v.name+"/"+name, func(t *testing.T) {
				reg, fx := newMemRegistry()
				p := &broken{inner: newMemPuller(t, reg), before: v.before, after: v.after}
				rec := runRule(t, ruleNamed(t, name), p, fx)
				switch {
				case !rec.Failed():
					t.Fatalf("rule %s passed the broken puller %s (skipped %v):\n%s", name, v.name, rec.Skipped(), rec.Logged())
				case !strings.Contains(rec.Logged(), v.want):
					t.Fatalf("rule %s failed %s without saying %q:\n%s", name, v.name, v.want, rec.Logged())
				}
				t.Logf("caught as expected: %s", rec.Logged())
			})
		}
	}
}

func ruleNamed(t *testing.T, name string) Rule {
	t.Helper()
	for _, r := range Rules() {
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

// Without Tampered, only TamperedIsUnprocessable skips; without
// BlobFetches, nothing skips.
func TestOptionalFixturePartsSkip(t *testing.T) {
	reg, fx := newMemRegistry()
	fx.Tampered, fx.BlobFetches = "", nil
	for _, r := range Rules() {
		rec := runRule(t, r, newMemPuller(t, reg), fx)
		if want := r.Name == "TamperedIsUnprocessable"; rec.Skipped() != want || rec.Failed() {
			t.Errorf("rule %s: skipped %v (want %v), failed %v:\n%s", r.Name, rec.Skipped(), want, rec.Failed(), rec.Logged())
		}
	}
}

func TestFixtureValidate(t *testing.T) {
	_, good := newMemRegistry()
	if err := good.Validate(); err != nil {
		t.Fatalf("the reference fixture: %v", err)
	}
	for name, mutate := range map[string]func(*Fixture){
		"no tag":             func(f *Fixture) { f.Tag = "" },
		"short digest":       func(f *Fixture) { f.Digest = "sha256:abc" },
		"byDigest elsewhere": func(f *Fixture) { f.ByDigest = f.Tag },
		"no content":         func(f *Fixture) { f.Content = nil },
		"missing is tag":     func(f *Fixture) { f.Missing = f.Tag },
	} {
		fx := good
		mutate(&fx)
		if fx.Validate() == nil {
			t.Errorf("%s: Validate accepted it", name)
		}
	}
}
