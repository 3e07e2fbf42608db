package workloadtest

import (
	"context"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// shortRule bounds the rules that catch hanging variants, so that the kit's
// bounds, not the test binary's, end them.
var shortRule = Timeout(300 * time.Millisecond)

// asyncVariants break the context, progress and concurrency rules.
func asyncVariants() []variant {
	return []variant{
		{name: "IgnoresContext", rules: []string{"CanceledContextChangesNothing"}, want: "with a canceled context",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				return &buggy{memProvider: m,
					apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
						return m.Apply(context.WithoutCancel(ctx), c, p)
					},
					remove: func(ctx context.Context, c workload.Component, p workload.Progress) error {
						return m.Remove(context.WithoutCancel(ctx), c, p)
					},
				}
			}},
		{name: "HangsOnCanceledContext", rules: []string{"CanceledContextChangesNothing"}, want: "did not return within",
			opts: []Option{shortRule},
			build: func(m *memProvider, release <-chan struct{}) *buggy {
				return &buggy{memProvider: m, apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
					if ctx.Err() != nil {
						<-release // a runtime call that does not take ctx
					}
					return m.Apply(ctx, c, p)
				}}
			}},
		{name: "HangsAfterCancel", rules: []string{"CancelDuringApplyRecovers"}, want: "of its context being canceled",
			opts: []Option{shortRule},
			build: func(m *memProvider, release <-chan struct{}) *buggy {
				return &buggy{memProvider: m, apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
					return m.Apply(context.WithoutCancel(ctx), c, func(ev workload.Event) {
						if p != nil {
							p(ev)
						}
						if ctx.Err() != nil {
							<-release // stuck in a runtime call that does not take ctx
						}
					})
				}}
			}},
		{name: "CancelLeavesLock", rules: []string{"CancelDuringApplyRecovers"}, want: "another operation is in progress",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				var mu sync.Mutex
				locked := map[memKey]bool{}
				return &buggy{memProvider: m, apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
					mu.Lock()
					defer mu.Unlock()
					if locked[keyOf(c)] {
						return workload.Status{}, fault.New(fault.Conflict, "another operation is in progress")
					}
					s, err := m.Apply(ctx, c, p)
					locked[keyOf(c)] = ctx.Err() != nil // an interrupted install keeps its lock
					return s, err
				}}
			}},
		{name: "Silent", rules: []string{"ProgressNamesComponent"}, want: "no progress event",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				return &buggy{memProvider: m, apply: func(ctx context.Context, c workload.Component, _ workload.Progress) (workload.Status, error) {
					return m.Apply(ctx, c, nil)
				}}
			}},
		{name: "EventsNameDeployment", rules: []string{"ProgressNamesComponent"}, want: "names component",
			build: editEvents(func(ev *workload.Event) { ev.Component = "digitron" })},
		{name: "EventsUseOtherWords", rules: []string{"ProgressNamesComponent"}, want: "not a Margo phase",
			build: editEvents(func(ev *workload.Event) {
				if ev.Phase == workload.Installing {
					ev.Phase = "Updating"
				}
			})},
		{name: "EventsOverflow", rules: []string{"ProgressNamesComponent"}, want: "want 0 <= Done <= Total",
			build: editEvents(func(ev *workload.Event) { ev.Done = ev.Total + 1 })},
		{name: "EventsAfterReturn", rules: []string{"ProgressNamesComponent"}, want: "after it returned",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				late := new(lateProgress)
				return &buggy{memProvider: m,
					apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
						late.keep(p) // e.g. a log follower still running
						return m.Apply(ctx, c, p)
					},
					status: func(ctx context.Context, c workload.Component) (workload.Status, error) {
						late.fire(c)
						return m.Status(ctx, c)
					},
				}
			}},
		{name: "RejectsConcurrentApply", rules: []string{"ConcurrentApplies"}, want: "concurrent Apply",
			build: func(m *memProvider, _ <-chan struct{}) *buggy {
				var mu sync.Mutex
				busy := false
				second := make(chan struct{})
				var once sync.Once
				return &buggy{memProvider: m, apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
					mu.Lock()
					if busy {
						mu.Unlock()
						once.Do(func() { close(second) })
						return workload.Status{}, fault.New(fault.Conflict, "another operation is in progress")
					}
					busy = true
					mu.Unlock()
					defer func() { mu.Lock(); busy = false; mu.Unlock() }()
					select { // hold the runtime until the other Apply has come and failed
					case <-second:
					case <-ctx.Done():
					}
					return m.Apply(ctx, c, p)
				}}
			}},
	}
}

// editEvents builds a variant whose Apply passes its events through edit.
func editEvents(edit func(*workload.Event)) func(*memProvider, <-chan struct{}) *buggy {
	return func(m *memProvider, _ <-chan struct{}) *buggy {
		return &buggy{memProvider: m, apply: func(ctx context.Context, c workload.Component, p workload.Progress) (workload.Status, error) {
			return m.Apply(ctx, c, withProgress(p, edit))
		}}
	}
}
