// Package workloadtest is the conformance kit for workload.Provider
// implementations (workload.helm, workload.compose, a contributor's).
//
// A provider runs it from its own _test.go with sample components of its
// own kind:
//
//	func TestConformance(t *testing.T) {
//		workloadtest.Run(t, func(t *testing.T) workload.Provider {
//			return compose.New(...) // register its cleanup with t.Cleanup
//		}, workloadtest.Fixture{Base: ..., Upgraded: ..., Broken: ...})
//	}
//
// Every rule of the workload contract is one named subtest (see Rules), so a
// failure names the rule it breaks. newProvider is called once per subtest.
// Providers whose runtime outlives the provider value (a cluster, a Docker
// daemon) see the fixture's components again in later subtests: the kit
// removes every component it applied in t.Cleanup, and the fixture's names
// must not be in use when Run starts.
//
// The kit pins down the choices the contract leaves open:
//
//   - identity: a component is identified by its deployment (DeploymentID,
//     Deployment) and its Name; components differing in either are
//     independent;
//   - a failed Apply returns the zero Status or one with Phase failed, never
//     installed; the component then reports failed or NotFound, and Remove
//     clears it;
//   - an Apply of an unknown source fails with NotFound, Unavailable or
//     BadRequest; a Wait that outlasts Timeout fails with fault.Timeout;
//   - Apply and Remove with a canceled context return an error wrapping
//     context.Canceled (or coded fault.Canceled) within Prompt and change
//     nothing;
//   - an Apply whose context is canceled while it runs may succeed or fail,
//     but its result is truthful, and Apply afterwards converges;
//   - the progress callback may be nil; when set, Apply reports at least one
//     event, every event names the component and carries a valid phase, and
//     no event arrives after Apply or Remove returned;
//   - workload.DetailGeneration, when a provider sets it, is unchanged by an
//     idempotent Apply and increases on an upgrade or a downgrade.
//
// The kit synchronises with channels, never with sleeps. Every provider call
// is bounded by the rule's Timeout; reaching the bound fails the rule (it is
// a hang detector, not a pass condition).
package workloadtest

import (
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/workload"
)

// DefaultTimeout bounds each rule unless the Timeout option says otherwise.
const DefaultTimeout = 2 * time.Minute

// Prompt is how long a provider may take to return once its context is
// canceled (capped at the rule's Timeout).
const Prompt = 10 * time.Second

// Option tunes Run and Rules.
type Option func(*options)

type options struct {
	timeout        time.Duration
	skipConcurrent string
}

// Timeout bounds each rule as a whole (default DefaultTimeout): every
// provider call of the rule runs under a context with this deadline, and a
// call that has not returned shortly after it fails the rule.
func Timeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// SkipConcurrent skips the ConcurrentApplies rule, for a provider that
// genuinely cannot run two Applies at once (reason says why, e.g. a runtime
// holding one global lock that fails rather than waits). Serialising Applies
// internally is not a reason: the rule only asks that both succeed.
func SkipConcurrent(reason string) Option {
	return func(o *options) { o.skipConcurrent = reason }
}

func (o options) prompt() time.Duration { return min(Prompt, o.timeout) }

// Rule is one named check of the workload contract. Run may be called on
// its own, with any testing.TB (the kit's tests drive rules with a recorder
// to prove that broken providers fail them); it validates fx first.
type Rule struct {
	Name string
	Run  func(t testing.TB, p workload.Provider, fx Fixture)
}

// Rules returns every rule, in the order Run runs them.
func Rules(opts ...Option) []Rule {
	o := options{timeout: DefaultTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	checks := []struct {
		name string
		run  func(e *env)
	}{
		{"TypesIncludeProfileType", typesIncludeProfileType},
		{"StatusOfAbsentIsNotFound", statusOfAbsentIsNotFound},
		{"RemoveAbsentSucceeds", removeAbsentSucceeds},
		{"ApplyInstalls", applyInstalls},
		{"InstalledComponentVerifies", installedComponentVerifies},
		{"ApplyIsIdempotent", applyIsIdempotent},
		{"ApplyUpgradesAndDowngrades", applyUpgrades},
		{"RemoveMakesStatusNotFound", removeMakesStatusNotFound},
		{"RemoveIsIdempotent", removeIsIdempotent},
		{"ComponentsAreIsolated", componentsAreIsolated},
		{"BrokenSourceFails", brokenSourceFails},
		{"NeverReadyTimesOut", neverReadyTimesOut},
		{"CanceledContextChangesNothing", canceledContextChangesNothing},
		{"CancelDuringApplyRecovers", cancelDuringApplyRecovers},
		{"ProgressNamesComponent", progressNamesComponent},
		{"ConcurrentApplies", concurrentApplies},
	}
	rules := make([]Rule, len(checks))
	for i, c := range checks {
		rules[i] = Rule{Name: c.name, Run: func(t testing.TB, p workload.Provider, fx Fixture) {
			t.Helper()
			if err := fx.Validate(); err != nil {
				t.Fatalf("workloadtest: invalid Fixture: %v", err)
			}
			c.run(newEnv(t, p, fx, o))
		}}
	}
	return rules
}

// Run checks newProvider's providers against every rule, one subtest each.
func Run(t *testing.T, newProvider func(t *testing.T) workload.Provider, fx Fixture, opts ...Option) {
	t.Helper()
	if err := fx.Validate(); err != nil {
		t.Fatalf("workloadtest: invalid Fixture: %v", err)
	}
	for _, r := range Rules(opts...) {
		t.Run(r.Name, func(t *testing.T) { r.Run(t, newProvider(t), fx) })
	}
}
