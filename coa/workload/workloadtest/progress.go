package workloadtest

import (
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/workload"
)

// eventLog records progress events; events that arrive after close are
// late.
type eventLog struct {
	mu     sync.Mutex
	events []workload.Event
	late   []workload.Event
	closed bool
}

func (l *eventLog) add(ev workload.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		l.late = append(l.late, ev)
	} else {
		l.events = append(l.events, ev)
	}
}

// close ends the call's window and returns the events received in it.
func (l *eventLog) close() []workload.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return l.events
}

func (l *eventLog) lateEvents() []workload.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.late
}

// checkEvents checks every event of a call on c names c, has a valid phase
// and consistent counters.
func (e *env) checkEvents(call string, c workload.Component, events []workload.Event) {
	e.t.Helper()
	for i, ev := range events {
		switch {
		case ev.Component != c.Name:
			e.t.Fatalf("%s(%s) event %d %+v names component %q, want %q", call, describe(c), i, ev, ev.Component, c.Name)
		case !ev.Phase.Valid():
			e.t.Fatalf("%s(%s) event %d %+v has phase %q, not a Margo phase", call, describe(c), i, ev, ev.Phase)
		case ev.Done < 0 || ev.Total < 0 || (ev.Total > 0 && ev.Done > ev.Total):
			e.t.Fatalf("%s(%s) event %d %+v: Done %d of Total %d; want 0 <= Done <= Total (Total 0 = unknown)",
				call, describe(c), i, ev, ev.Done, ev.Total)
		}
	}
}

// progressNamesComponent: Apply reports at least one event; the events of
// Apply and Remove name the component, carry Margo phases, and stop when
// the call returns.
func progressNamesComponent(e *env) {
	base := e.fx.Base
	applyLog := new(eventLog)
	s, err := e.apply(base, applyLog.add)
	applied := applyLog.close()
	if err != nil {
		e.t.Fatalf("Apply(%s) with a progress callback: %v", describe(base), err)
	}
	e.wantPhase(s, base, "Apply with a progress callback")
	if len(applied) == 0 {
		e.t.Fatalf("Apply(%s) reported no progress event", describe(base))
	}
	e.checkEvents("Apply", base, applied)
	e.wantInstalled(base, "Apply with a progress callback")

	removeLog := new(eventLog)
	err = e.remove(base, removeLog.add)
	removed := removeLog.close()
	if err != nil {
		e.t.Fatalf("Remove(%s) with a progress callback: %v", describe(base), err)
	}
	e.checkEvents("Remove", base, removed)
	e.wantAbsent(base, "Remove with a progress callback")
	if late := applyLog.lateEvents(); len(late) > 0 {
		e.t.Fatalf("Apply(%s) reported %d events after it returned: %+v", describe(base), len(late), late)
	}
	if late := removeLog.lateEvents(); len(late) > 0 {
		e.t.Fatalf("Remove(%s) reported %d events after it returned: %+v", describe(base), len(late), late)
	}
}

// concurrentApplies: two components applied at once both end installed,
// and removed at once both end absent.
func concurrentApplies(e *env) {
	if e.o.skipConcurrent != "" {
		e.t.Skipf("SkipConcurrent: %s", e.o.skipConcurrent)
	}
	comps := []workload.Component{renamed(e.fx.Base, "-a"), renamed(e.fx.Base, "-b")}
	statuses := make([]workload.Status, len(comps))
	errs := e.parallel("Apply", comps, func(i int, c workload.Component) (err error) {
		statuses[i], err = e.p.Apply(e.ctx, c, nil)
		return err
	})
	for i, c := range comps {
		if errs[i] != nil {
			e.t.Errorf("concurrent Apply(%s): %v", describe(c), errs[i])
		}
	}
	if e.t.Failed() {
		e.t.FailNow()
	}
	for i, c := range comps {
		e.wantPhase(statuses[i], c, "concurrent Apply")
		e.wantInstalled(c, "concurrent Applies")
		e.verify(c)
	}
	errs = e.parallel("Remove", comps, func(_ int, c workload.Component) error {
		return e.p.Remove(e.ctx, c, nil)
	})
	for i, c := range comps {
		if errs[i] != nil {
			e.t.Fatalf("concurrent Remove(%s): %v", describe(c), errs[i])
		}
		e.wantAbsent(c, "concurrent Removes")
	}
}

// parallel runs call on every component at once (released together) and
// waits for all of them until the rule's deadline; a call still running
// then, or a panic, fails the rule.
func (e *env) parallel(what string, comps []workload.Component, call func(i int, c workload.Component) error) []error {
	e.t.Helper()
	start := make(chan struct{})
	dones := make([]<-chan error, len(comps))
	for i, c := range comps {
		e.track(c)
		dones[i] = goCall(func() error {
			<-start
			return call(i, c)
		})
	}
	close(start)
	timer := time.NewTimer(e.limit())
	defer timer.Stop()
	errs := make([]error, len(comps))
	for i, done := range dones {
		select {
		case errs[i] = <-done:
			e.noPanic("concurrent "+what+"("+describe(comps[i])+")", errs[i])
		case <-timer.C:
			e.t.Fatalf("concurrent %s(%s) did not return within %s", what, describe(comps[i]), e.o.timeout)
		}
	}
	return errs
}
