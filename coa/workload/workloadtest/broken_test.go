package workloadtest

import (
	"context"
	"errors"
	"sync"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

type (
	applyFunc  func(ctx context.Context, c workload.Component, progress workload.Progress) (workload.Status, error)
	removeFunc func(ctx context.Context, c workload.Component, progress workload.Progress) error
	statusFunc func(ctx context.Context, c workload.Component) (workload.Status, error)
)

// buggy is the reference provider with some methods replaced; a nil hook
// keeps the reference's method.
type buggy struct {
	*memProvider
	types  func() []string
	apply  applyFunc
	remove removeFunc
	status statusFunc
}

func (b *buggy) Types() []string {
	if b.types != nil {
		return b.types()
	}
	return b.memProvider.Types()
}

func (b *buggy) Apply(ctx context.Context, c workload.Component, progress workload.Progress) (workload.Status, error) {
	if b.apply != nil {
		return b.apply(ctx, c, progress)
	}
	return b.memProvider.Apply(ctx, c, progress)
}

func (b *buggy) Remove(ctx context.Context, c workload.Component, progress workload.Progress) error {
	if b.remove != nil {
		return b.remove(ctx, c, progress)
	}
	return b.memProvider.Remove(ctx, c, progress)
}

func (b *buggy) Status(ctx context.Context, c workload.Component) (workload.Status, error) {
	if b.status != nil {
		return b.status(ctx, c)
	}
	return b.memProvider.Status(ctx, c)
}

// variant is a deliberately broken provider, the rules that must catch it,
// and a fragment of the failure message they must give.
type variant struct {
	name  string
	rules []string
	want  string
	opts  []Option
	// build wraps m; release is closed when the test ends, to free calls
	// the variant blocks forever.
	build func(m *memProvider, release <-chan struct{}) *buggy
}

// withProgress returns a callback that passes each event through edit to
// progress (which may be nil).
func withProgress(progress workload.Progress, edit func(*workload.Event)) workload.Progress {
	return func(ev workload.Event) {
		edit(&ev)
		if progress != nil {
			progress(ev)
		}
	}
}

// forceInstall records c as installed from the catalog's app, whatever its source.
func forceInstall(m *memProvider, c workload.Component) {
	c.Repository, c.Revision = "mem://app", "1.0.0"
	_, _ = m.Apply(context.Background(), c, nil)
}

func variants() []variant {
	return []variant{
		{name: "TypesMissProfileType", rules: []string{"TypesIncludeProfileType"}, want: "does not include",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				return &buggy{memProvider: m, types: func() []string { return []string{"helm.v3"} }}
			}},
		{name: "StatusOfAbsentIsZero", rules: []string{"StatusOfAbsentIsNotFound"}, want: "want a NotFound error",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				return &buggy{memProvider: m, status: func(ctx context.Context, c workload.Component) (workload.Status, error) {
					s, err := m.Status(ctx, c)
					if fault.Is(err, fault.NotFound) {
						return workload.Status{}, nil
					}
					return s, err
				}}
			}},
		{name: "RemoveOfAbsentFails", rules: []string{"RemoveAbsentSucceeds", "RemoveIsIdempotent"}, want: "Remove(",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				return &buggy{memProvider: m, remove: func(ctx context.Context, c workload.Component, p workload.Progress) error {
					if _, err := m.Status(ctx, c); err != nil {
						return err
					}
					return m.Remove(ctx, c, p)
				}}
			}},
		{name: "RemoveKeepsComponent", rules: []string{"RemoveMakesStatusNotFound", "RemoveIsIdempotent", "ComponentsAreIsolated"},
			want: "want a NotFound error",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				return &buggy{memProvider: m, remove: func(context.Context, workload.Component, workload.Progress) error { return nil }}
			}},
		{name: "NilProgressPanics", rules: []string{"ApplyInstalls"}, want: "panicked",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				return &buggy{memProvider: m, apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
					p(workload.Event{Component: c.Name, Phase: workload.Pending})
					return m.Apply(ctx, c, p)
				}}
			}},
		{name: "ApplyAlwaysChanges", rules: []string{"ApplyIsIdempotent"}, want: "an identical Apply must change nothing",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				return &buggy{memProvider: m, apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
					m.mu.Lock()
					if rec := m.comps[keyOf(c)]; rec != nil {
						rec.c.Revision = "" // forget what is installed: the next Apply reinstalls
					}
					m.mu.Unlock()
					return m.Apply(ctx, c, p)
				}}
			}},
		{name: "GenerationNeverMoves", rules: []string{"ApplyUpgradesAndDowngrades"}, want: "want it to increase",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				return &buggy{memProvider: m, status: func(ctx context.Context, c workload.Component) (workload.Status, error) {
					s, err := m.Status(ctx, c)
					if err == nil {
						s.Details[workload.DetailGeneration] = "1"
					}
					return s, err
				}}
			}},
		{name: "UpgradeIgnored", rules: []string{"ApplyUpgradesAndDowngrades"}, want: `revision "1.0.0"`,
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				return &buggy{memProvider: m, apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
					if s, err := m.Status(ctx, c); err == nil {
						return s, nil // present is good enough
					}
					return m.Apply(ctx, c, p)
				}}
			}},
		{name: "UpgradeKeepsParameters", rules: []string{"ApplyUpgradesAndDowngrades"}, want: "with parameters",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				return &buggy{memProvider: m, apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
					if old, ok := m.running(c); ok {
						c.Parameters = old.Parameters
					}
					return m.Apply(ctx, c, p)
				}}
			}},
		{name: "KeysOnNameOnly", rules: []string{"ComponentsAreIsolated"}, want: "want a NotFound error",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				strip := func(c workload.Component) workload.Component { c.DeploymentID, c.Deployment = "", ""; return c }
				return &buggy{memProvider: m,
					apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
						return m.Apply(ctx, strip(c), p)
					},
					remove: func(ctx context.Context, c workload.Component, p workload.Progress) error {
						return m.Remove(ctx, strip(c), p)
					},
					status: func(ctx context.Context, c workload.Component) (workload.Status, error) {
						return m.Status(ctx, strip(c))
					},
				}
			}},
		{name: "BrokenSucceeds", rules: []string{"BrokenSourceFails"}, want: "succeeded",
			build: brokenHook(func(m *memProvider, c workload.Component, s workload.Status, err error) (workload.Status, error) {
				forceInstall(m, c)
				return m.Status(context.Background(), c)
			})},
		{name: "BrokenIsInternal", rules: []string{"BrokenSourceFails"}, want: "want a code in",
			build: brokenHook(func(_ *memProvider, _ workload.Component, s workload.Status, _ error) (workload.Status, error) {
				return s, errors.New("pull failed")
			})},
		{name: "BrokenLeavesInstalled", rules: []string{"BrokenSourceFails"}, want: "want NotFound or phase failed",
			build: brokenHook(func(m *memProvider, c workload.Component, s workload.Status, err error) (workload.Status, error) {
				forceInstall(m, c)
				return s, err
			})},
		{name: "BrokenReturnsInstalled", rules: []string{"BrokenSourceFails"}, want: "want the zero Status or phase failed",
			build: brokenHook(func(_ *memProvider, _ workload.Component, s workload.Status, err error) (workload.Status, error) {
				s.Phase = workload.Installed
				return s, err
			})},
		{name: "BrokenPanics", rules: []string{"BrokenSourceFails"}, want: "panicked",
			build: brokenHook(func(*memProvider, workload.Component, workload.Status, error) (workload.Status, error) {
				panic("nil chart")
			})},
		{name: "WaitIgnored", rules: []string{"NeverReadyTimesOut"}, want: `want a "timeout" error`,
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				return &buggy{memProvider: m, apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
					c.Wait = false
					return m.Apply(ctx, c, p)
				}}
			}},
	}
}

// brokenHook builds a variant that handles an Apply failing with NotFound
// (the Broken fixture) with hook.
func brokenHook(hook func(m *memProvider, c workload.Component, s workload.Status, err error) (workload.Status, error)) func(*memProvider, <-chan struct{}) *buggy {
	return func(m *memProvider, _ <-chan struct{}) *buggy {
		return &buggy{memProvider: m, apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
			s, err := m.Apply(ctx, c, p)
			if fault.Is(err, fault.NotFound) {
				return hook(m, c, s, err)
			}
			return s, err
		}}
	}
}

// lateProgress remembers the last progress callback a provider was given
// and calls it later, after the call returned.
type lateProgress struct {
	mu sync.Mutex
	p  workload.Progress
}

func (l *lateProgress) keep(p workload.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.p = p
}

func (l *lateProgress) fire(c workload.Component) {
	l.mu.Lock()
	p := l.p
	l.mu.Unlock()
	if p != nil {
		p(workload.Event{Component: c.Name, Phase: workload.Installed, Message: "late"})
	}
}
