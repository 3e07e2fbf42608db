package workloadtest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// brokenCodes are the codes an Apply of a source that does not exist may
// carry: absent (NotFound), unreachable (Unavailable), unparsable
// (BadRequest).
var brokenCodes = []fault.Code{fault.NotFound, fault.Unavailable, fault.BadRequest}

// brokenSourceFails: Apply of a source that does not exist fails with a
// NotFound, Unavailable or BadRequest error, reports nothing as installed,
// and Remove clears whatever the attempt left.
func brokenSourceFails(e *env) {
	broken := e.fx.Broken
	s, err := e.apply(broken, nil)
	if err == nil {
		e.t.Fatalf("Apply(%s) of a source that does not exist succeeded: %+v", describe(broken), s)
	}
	if code := fault.CodeOf(err); !slices.Contains(brokenCodes, code) {
		e.t.Fatalf("Apply(%s) of a source that does not exist: %v (code %q); want a code in %q", describe(broken), err, code, brokenCodes)
	}
	e.wantFailedResult(s, broken, err)
	e.wantNotInstalled(broken, "a failed Apply")
	e.mustRemove(broken)
	e.wantAbsent(broken, "removing a failed component")
}

// neverReadyTimesOut: with Wait, Apply of a component that never becomes
// running fails with fault.Timeout once its Timeout is over; it is not
// reported installed and Remove clears it.
func neverReadyTimesOut(e *env) {
	stuck := e.fx.NeverReady
	if stuck.Name == "" {
		e.t.Skip("the Fixture has no NeverReady component")
	}
	s, err := e.apply(stuck, nil)
	if !fault.Is(err, fault.Timeout) {
		e.t.Fatalf("Apply(%s) of a component that never becomes ready, with Wait and Timeout %s: %v (code %q), status %+v; want a %q error",
			describe(stuck), stuck.Timeout, err, fault.CodeOf(err), s, fault.Timeout)
	}
	e.wantFailedResult(s, stuck, err)
	e.wantNotInstalled(stuck, "a timed-out Apply")
	e.mustRemove(stuck)
	e.wantAbsent(stuck, "removing a timed-out component")
}

// canceledContextChangesNothing: Apply and Remove with a canceled context
// return a cancellation error within Prompt and change nothing.
func canceledContextChangesNothing(e *env) {
	base := e.fx.Base
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	s, err := e.applyCtx(ctx, e.o.prompt(), base, nil)
	wantCanceled(e.t, err, "Apply")
	if s.Phase == workload.Installed {
		e.t.Fatalf("Apply with a canceled context returned phase %q", s.Phase)
	}
	e.wantAbsent(base, "Apply with a canceled context")

	e.mustApply(base)
	err = e.do("Remove with a canceled context", e.o.prompt(), func() error { return e.p.Remove(ctx, base, nil) })
	wantCanceled(e.t, err, "Remove")
	e.wantInstalled(base, "Remove with a canceled context")
}

// cancelDuringApplyRecovers: when Apply's context is canceled at its first
// progress event, Apply returns within Prompt of the cancel. Success must
// mean installed; a failure returns a result not marked installed. An Apply
// afterwards installs the component.
func cancelDuringApplyRecovers(e *env) {
	base := e.fx.Base
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	canceled := make(chan struct{})
	var once sync.Once
	progress := func(workload.Event) {
		once.Do(func() {
			cancel()
			close(canceled)
		})
	}
	e.track(base)
	var s workload.Status
	done := goCall(func() (err error) {
		s, err = e.p.Apply(ctx, base, progress)
		return err
	})
	err := awaitApply(e, done, canceled)
	e.noPanic("Apply", err)
	if err == nil {
		e.wantPhase(s, base, "Apply canceled at its first event that still succeeded")
		e.wantInstalled(base, "an Apply that succeeded although canceled at its first event")
	} else {
		e.wantInterrupted(s, base, err)
	}
	e.mustApply(base)
	e.wantInstalled(base, "an Apply after a canceled one")
	e.verify(base)
}

// awaitApply waits for the Apply of cancelDuringApplyRecovers: at most
// until the rule's deadline before the cancel, then at most Prompt.
func awaitApply(e *env, done <-chan error, canceled <-chan struct{}) error {
	e.t.Helper()
	timer := time.NewTimer(e.limit())
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-canceled:
	case <-timer.C:
		e.t.Fatalf("Apply did not return within %s", e.o.timeout)
	}
	prompt := time.NewTimer(e.o.prompt())
	defer prompt.Stop()
	select {
	case err := <-done:
		return err
	case <-prompt.C:
		e.t.Fatalf("Apply did not return within %s of its context being canceled", e.o.prompt())
	}
	panic("unreachable")
}

// wantInterrupted checks an Apply that failed after a cancel: its result is
// not installed, and Status is NotFound or reports a valid phase (the
// runtime may have finished the work; the next Apply settles it).
func (e *env) wantInterrupted(s workload.Status, c workload.Component, err error) {
	e.t.Helper()
	if s.Phase == workload.Installed {
		e.t.Fatalf("Apply(%s) returned %v with phase %q", describe(c), err, s.Phase)
	}
	st, serr := e.status(c)
	switch {
	case fault.Is(serr, fault.NotFound):
	case serr != nil:
		e.t.Fatalf("after a canceled Apply: Status(%s): %v", describe(c), serr)
	case !st.Phase.Valid():
		e.t.Fatalf("after a canceled Apply: Status(%s) phase %q is not a Margo phase", describe(c), st.Phase)
	}
}
