// Package statetest is the conformance kit for state.Store implementations.
//
// A provider runs it from its own _test.go:
//
//	func TestConformance(t *testing.T) {
//		statetest.Run(t, func(t *testing.T) state.Store { return memory.New() })
//	}
//
// Every rule of the state contract is one named subtest, so a failure names
// the rule it breaks. newStore must return an empty store and arrange its own
// cleanup (t.Cleanup). The kit pins down the choices the contract leaves to
// it:
//
//   - a condition expecting a version > 0 on an absent key is a Conflict,
//     for Put, Delete and Batch alike (see state.Cond.Check);
//   - deleting an absent key succeeds when the condition holds (unset, or
//     IfAbsent);
//   - a batch naming a key twice is a BadRequest and writes nothing;
//   - an empty batch succeeds and writes nothing;
//   - a listing's Next is "" exactly when no further key matches, so paging
//     never ends with an empty page;
//   - a canceled context fails every method with an error wrapping
//     context.Canceled (or carrying fault.Canceled) and writes nothing.
package statetest

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/state"
)

// Option adds optional checks to Run.
type Option func(*options)

type options struct {
	reopen func(t *testing.T, s state.Store) state.Store
}

// Reopen enables the persistence rules: reopen must close s and return a new
// store over the same data (and register the new store's cleanup).
func Reopen(reopen func(t *testing.T, s state.Store) state.Store) Option {
	return func(o *options) { o.reopen = reopen }
}

type rule struct {
	name string
	run  func(t *testing.T, s state.Store)
}

// Run checks newStore's stores against every rule of the state contract.
func Run(t *testing.T, newStore func(t *testing.T) state.Store, opts ...Option) {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	rules := concat(keyRules(), listRules(), batchRules(), robustRules())
	if o.reopen != nil {
		rules = append(rules, persistRules(o.reopen)...)
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) { r.run(t, newStore(t)) })
	}
}

func concat(groups ...[]rule) []rule {
	var out []rule
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}
