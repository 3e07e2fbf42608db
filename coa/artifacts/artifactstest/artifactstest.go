// Package artifactstest is the conformance kit for artifacts.Puller
// implementations (artifacts.oras, a contributor's).
//
// A provider runs it from its own _test.go against a registry holding a
// small pushed artifact:
//
//	func TestConformance(t *testing.T) {
//		artifactstest.Run(t, func(t *testing.T) artifacts.Puller {
//			return newPuller(t) // an empty cache of its own, closed in t.Cleanup
//		}, artifactstest.Fixture{Tag: ..., ByDigest: ..., Digest: ..., ...})
//	}
//
// Every rule of the artifacts contract is one named subtest (see Rules), so
// a failure names the rule it breaks. newPuller is called once per subtest
// and must return a puller whose cache is empty and its own: the rules about
// caching count on a first Pull downloading.
//
// The kit pins down the choices the contract leaves open:
//
//   - a pull by tag and a pull by digest of the same artifact return the
//     same Digest (the manifest's), LayerDigest and content;
//   - the first Pull into an empty cache reports Cached false; any later
//     Pull of the same content reports Cached true and, when the fixture
//     counts blob downloads, downloads nothing;
//   - a reference naming neither a tag nor a digest, or with a malformed
//     digest, is BadRequest; an absent tag or digest is NotFound;
//   - a Pull with a canceled context returns an error wrapping
//     context.Canceled (or coded fault.Canceled) within Prompt; a Pull
//     canceled while it runs may succeed or fail but never leaves wrong
//     content behind;
//   - a media-type filter that matches no layer is Unprocessable;
//   - concurrent Pulls of one artifact all succeed with the same Path, and at
//     most one of them reports Cached false (one download);
//   - content that does not match its digest is Unprocessable, every time
//     (it is not cached);
//   - progress events name the ref, never decrease, stay within Total, end
//     at Done == Total == Size and stop when Pull returns.
//
// The kit synchronises with channels, never with sleeps. Every Pull is
// bounded by the rule's Timeout; reaching it fails the rule (a hang
// detector, not a pass condition).
package artifactstest

import (
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
)

// DefaultTimeout bounds each rule unless the Timeout option says otherwise.
const DefaultTimeout = time.Minute

// Prompt is how long a puller may take to return once its context is
// canceled (capped at the rule's Timeout).
const Prompt = 5 * time.Second

// Concurrency is how many Pulls the ConcurrentPullsShareOneDownload rule
// starts at once.
const Concurrency = 4

// Option tunes Run and Rules.
type Option func(*options)

type options struct {
	timeout time.Duration
}

// Timeout bounds each rule as a whole (default DefaultTimeout).
func Timeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

func (o options) prompt() time.Duration { return min(Prompt, o.timeout) }

// Rule is one named check of the contract. Run may be called on its own
// with any testing.TB (the kit's own tests drive rules with a recorder to
// prove that broken pullers fail them); it validates fx first.
type Rule struct {
	Name string
	Run  func(t testing.TB, p artifacts.Puller, fx Fixture)
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
		{"PullByTag", pullByTag},
		{"PullByDigest", pullByDigest},
		{"SecondPullIsCached", secondPullIsCached},
		{"MissingIsNotFound", missingIsNotFound},
		{"MalformedIsBadRequest", malformedIsBadRequest},
		{"CanceledContextFailsPromptly", canceledContextFailsPromptly},
		{"CancelDuringPullLeavesNoDamage", cancelDuringPull},
		{"MediaTypeFilter", mediaTypeFilter},
		{"ConcurrentPullsShareOneDownload", concurrentPulls},
		{"TamperedIsUnprocessable", tamperedIsUnprocessable},
		{"ProgressEvents", progressEvents},
	}
	rules := make([]Rule, len(checks))
	for i, c := range checks {
		rules[i] = Rule{Name: c.name, Run: func(t testing.TB, p artifacts.Puller, fx Fixture) {
			t.Helper()
			if err := fx.Validate(); err != nil {
				t.Fatalf("artifactstest: invalid Fixture: %v", err)
			}
			c.run(newEnv(t, p, fx, o))
		}}
	}
	return rules
}

// Run checks newPuller's pullers against every rule, one subtest each.
func Run(t *testing.T, newPuller func(t *testing.T) artifacts.Puller, fx Fixture, opts ...Option) {
	t.Helper()
	if err := fx.Validate(); err != nil {
		t.Fatalf("artifactstest: invalid Fixture: %v", err)
	}
	for _, r := range Rules(opts...) {
		t.Run(r.Name, func(t *testing.T) { r.Run(t, newPuller(t), fx) })
	}
}
