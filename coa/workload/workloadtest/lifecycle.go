package workloadtest

import (
	"slices"

	"github.com/cadenza-edge/cadenza/coa/workload"
)

// typesIncludeProfileType: Types is non-empty, has no empty entry and lists
// the fixture's profile type.
func typesIncludeProfileType(e *env) {
	types := e.p.Types()
	if len(types) == 0 {
		e.t.Fatal("Types() is empty")
	}
	if slices.Contains(types, "") {
		e.t.Fatalf("Types() = %q contains an empty type", types)
	}
	if !slices.Contains(types, e.fx.Base.ProfileType) {
		e.t.Fatalf("Types() = %q does not include the fixture's profile type %q", types, e.fx.Base.ProfileType)
	}
}

// statusOfAbsentIsNotFound: Status of a component never installed is a
// NotFound error.
func statusOfAbsentIsNotFound(e *env) {
	e.wantAbsent(e.fx.Base, "nothing")
	e.wantAbsent(e.fx.Broken, "nothing")
}

// removeAbsentSucceeds: Remove of a component never installed succeeds and
// leaves it absent.
func removeAbsentSucceeds(e *env) {
	e.mustRemove(e.fx.Base)
	e.wantAbsent(e.fx.Base, "Remove of an absent component")
}

// applyInstalls: Apply returns installed at the fixture's revision, and
// Status says the same.
func applyInstalls(e *env) {
	e.mustApply(e.fx.Base)
	e.wantInstalled(e.fx.Base, "Apply")
}

// installedComponentVerifies: the fixture's Verify accepts Base once Apply
// has returned.
func installedComponentVerifies(e *env) {
	if e.fx.Verify == nil {
		e.t.Skip("the Fixture has no Verify")
	}
	e.mustApply(e.fx.Base)
	e.verify(e.fx.Base)
}

// applyIsIdempotent: a second Apply of an equal component succeeds and
// changes nothing, not even the generation.
func applyIsIdempotent(e *env) {
	base := e.fx.Base
	first := e.mustApply(base)
	before := e.wantInstalled(base, "the first Apply")
	again := base
	again.Parameters = cloneParams(base.Parameters) // equal, not the same map
	second := e.mustApply(again)
	after := e.wantInstalled(base, "a second, identical Apply")
	e.sameGeneration(first, second, "Apply", "the second Apply")
	e.sameGeneration(before, after, "Status", "the second Apply")
	e.verify(base)
}

// sameGeneration checks an idempotent Apply left DetailGeneration alone.
func (e *env) sameGeneration(before, after workload.Status, call, what string) {
	e.t.Helper()
	g1, ok1 := e.generation(before, call)
	g2, ok2 := e.generation(after, call)
	switch {
	case ok1 != ok2:
		e.t.Fatalf("%s: Details[%q] present %v before %s, %v after; set it on every status or never",
			call, workload.DetailGeneration, ok1, what, ok2)
	case g1 != g2:
		e.t.Fatalf("%s: Details[%q] went from %d to %d after %s; an identical Apply must change nothing",
			call, workload.DetailGeneration, g1, g2, what)
	}
}

// newerGeneration checks a changing Apply increased DetailGeneration.
func (e *env) newerGeneration(before, after workload.Status, what string) {
	e.t.Helper()
	g1, ok1 := e.generation(before, "Status")
	g2, ok2 := e.generation(after, "Status")
	switch {
	case ok1 != ok2:
		e.t.Fatalf("Status: Details[%q] present %v before %s, %v after; set it on every status or never",
			workload.DetailGeneration, ok1, what, ok2)
	case ok1 && g2 <= g1:
		e.t.Fatalf("Status: Details[%q] went from %d to %d after %s; want it to increase on a real change",
			workload.DetailGeneration, g1, g2, what)
	}
}

// applyUpgrades: Apply of Upgraded replaces Base (new revision, parameters,
// generation), and Apply of Base afterwards rolls it back.
func applyUpgrades(e *env) {
	base, up := e.fx.Base, e.fx.Upgraded
	e.mustApply(base)
	s1 := e.wantInstalled(base, "installing Base")
	e.mustApply(up)
	s2 := e.wantInstalled(up, "upgrading to Upgraded")
	e.newerGeneration(s1, s2, "the upgrade")
	e.verify(up)
	e.mustApply(base)
	s3 := e.wantInstalled(base, "going back from Upgraded to Base")
	e.newerGeneration(s2, s3, "going back to Base")
	e.verify(base)
}

// removeMakesStatusNotFound: after Remove, Status is NotFound; Apply
// installs the component again.
func removeMakesStatusNotFound(e *env) {
	base := e.fx.Base
	e.mustApply(base)
	e.mustRemove(base)
	e.wantAbsent(base, "Remove")
	e.mustApply(base)
	e.wantInstalled(base, "Apply after Remove")
	e.verify(base)
}

// removeIsIdempotent: a second Remove succeeds.
func removeIsIdempotent(e *env) {
	base := e.fx.Base
	e.mustApply(base)
	e.mustRemove(base)
	e.mustRemove(base)
	e.wantAbsent(base, "two Removes")
}

// componentsAreIsolated: a component is identified by its deployment and
// its name. Installing or removing one leaves a sibling in the same
// deployment and a namesake in another deployment alone.
func componentsAreIsolated(e *env) {
	base := e.fx.Base
	sibling, namesake := renamed(base, "-b"), elsewhere(base)
	e.mustApply(base)
	e.wantAbsent(sibling, "installing a component of the same deployment")
	e.wantAbsent(namesake, "installing a component of the same name in another deployment")
	e.mustApply(sibling)
	e.mustApply(namesake)
	e.mustRemove(base)
	e.wantAbsent(base, "Remove")
	e.wantInstalled(sibling, "removing another component of its deployment")
	e.wantInstalled(namesake, "removing the component of the same name in another deployment")
	e.verify(sibling)
	e.verify(namesake)
}
