package workloadtest

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// env is what one rule run shares with its helpers.
type env struct {
	t        testing.TB
	p        workload.Provider
	fx       Fixture
	o        options
	ctx      context.Context // ends at the rule's deadline
	deadline time.Time

	mu      sync.Mutex
	applied []workload.Component // the components passed to Apply, removed in cleanup
}

func newEnv(t testing.TB, p workload.Provider, fx Fixture, o options) *env {
	t.Helper()
	if p == nil {
		t.Fatal("newProvider returned nil")
	}
	ctx, cancel := context.WithTimeout(t.Context(), o.timeout)
	deadline, _ := ctx.Deadline()
	e := &env{t: t, p: p, fx: fx, o: o, ctx: ctx, deadline: deadline}
	t.Cleanup(func() { // registered first, so it runs after the rule's own cleanups
		cancel()
		e.removeApplied()
	})
	return e
}

// limit is how long a call made now may take: until the rule's deadline,
// plus the time a provider may take to notice it.
func (e *env) limit() time.Duration { return time.Until(e.deadline) + e.o.prompt() }

// panicError is a provider panic turned into an error by bounded.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v\n%s", p.value, p.stack) }

// goCall runs fn in a goroutine and delivers its error; a panic becomes a
// *panicError.
func goCall(fn func() error) <-chan error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- &panicError{value: r, stack: debug.Stack()}
			}
		}()
		done <- fn()
	}()
	return done
}

// bounded runs fn in a goroutine and waits at most limit for it; ok is
// false when fn is still running (it is abandoned).
func bounded(limit time.Duration, fn func() error) (err error, ok bool) {
	done := goCall(fn)
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case err := <-done:
		return err, true
	case <-timer.C:
		return nil, false
	}
}

// do runs one provider call within limit; a hang or a panic fails the rule.
func (e *env) do(what string, limit time.Duration, fn func() error) error {
	e.t.Helper()
	err, ok := bounded(limit, fn)
	if !ok {
		e.t.Fatalf("%s did not return within %s", what, limit.Round(time.Millisecond))
	}
	e.noPanic(what, err)
	return err
}

// noPanic fails the rule if err is a provider panic.
func (e *env) noPanic(what string, err error) {
	e.t.Helper()
	if pe := (*panicError)(nil); errors.As(err, &pe) {
		e.t.Fatalf("%s panicked: %v", what, pe)
	}
}

// track remembers c for removal in cleanup: the latest component passed to
// Apply under each identity.
func (e *env) track(c workload.Component) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, a := range e.applied {
		if a.DeploymentID == c.DeploymentID && a.Deployment == c.Deployment && a.Namespace == c.Namespace && a.Name == c.Name {
			e.applied[i] = c
			return
		}
	}
	e.applied = append(e.applied, c)
}

// removeApplied removes every component the rule applied, last applied
// first.
func (e *env) removeApplied() {
	e.mu.Lock()
	applied := e.applied
	e.mu.Unlock()
	for i := len(applied) - 1; i >= 0; i-- {
		c := applied[i]
		ctx, cancel := context.WithTimeout(context.Background(), e.o.timeout)
		err, ok := bounded(e.o.timeout+e.o.prompt(), func() error { return e.p.Remove(ctx, c, nil) })
		cancel()
		switch {
		case !ok:
			e.t.Errorf("cleanup: Remove(%s) did not return within %s", describe(c), e.o.timeout)
		case err != nil:
			e.t.Errorf("cleanup: Remove(%s): %v", describe(c), err)
		}
	}
}

// applyCtx calls Apply with ctx, bounded by limit.
func (e *env) applyCtx(ctx context.Context, limit time.Duration, c workload.Component, progress workload.Progress) (workload.Status, error) {
	e.t.Helper()
	e.track(c)
	var s workload.Status
	err := e.do("Apply("+describe(c)+")", limit, func() (err error) {
		s, err = e.p.Apply(ctx, c, progress)
		return err
	})
	return s, err
}

func (e *env) apply(c workload.Component, progress workload.Progress) (workload.Status, error) {
	e.t.Helper()
	return e.applyCtx(e.ctx, e.limit(), c, progress)
}

func (e *env) remove(c workload.Component, progress workload.Progress) error {
	e.t.Helper()
	return e.do("Remove("+describe(c)+")", e.limit(), func() error { return e.p.Remove(e.ctx, c, progress) })
}

func (e *env) status(c workload.Component) (workload.Status, error) {
	e.t.Helper()
	var s workload.Status
	err := e.do("Status("+describe(c)+")", e.limit(), func() (err error) {
		s, err = e.p.Status(e.ctx, c)
		return err
	})
	return s, err
}

// mustApply applies c and checks Apply reports it installed at c.Revision.
func (e *env) mustApply(c workload.Component) workload.Status {
	e.t.Helper()
	s, err := e.apply(c, nil)
	if err != nil {
		e.t.Fatalf("Apply(%s): %v", describe(c), err)
	}
	e.wantPhase(s, c, "Apply")
	return s
}

// mustRemove removes c and fails the rule on an error.
func (e *env) mustRemove(c workload.Component) {
	e.t.Helper()
	if err := e.remove(c, nil); err != nil {
		e.t.Fatalf("Remove(%s): %v", describe(c), err)
	}
}

// wantInstalled checks Status reports c installed at c.Revision.
func (e *env) wantInstalled(c workload.Component, after string) workload.Status {
	e.t.Helper()
	s, err := e.status(c)
	if err != nil {
		e.t.Fatalf("after %s: Status(%s): %v; want installed", after, describe(c), err)
	}
	e.wantPhase(s, c, "after "+after+": Status")
	return s
}

// wantPhase checks s says installed at c.Revision with a well-formed
// generation, if any.
func (e *env) wantPhase(s workload.Status, c workload.Component, call string) {
	e.t.Helper()
	if s.Phase != workload.Installed || s.Revision != c.Revision {
		e.t.Fatalf("%s(%s) = phase %q revision %q (%s); want %q at revision %q",
			call, describe(c), s.Phase, s.Revision, s.Message, workload.Installed, c.Revision)
	}
	e.generation(s, call+"("+describe(c)+")")
}

// wantAbsent checks Status of c is NotFound.
func (e *env) wantAbsent(c workload.Component, after string) {
	e.t.Helper()
	s, err := e.status(c)
	if !fault.Is(err, fault.NotFound) {
		e.t.Fatalf("after %s: Status(%s) = %+v, %v (code %q); want a NotFound error", after, describe(c), s, err, fault.CodeOf(err))
	}
}

// wantNotInstalled checks a component whose Apply failed: Status is
// NotFound, or reports failed.
func (e *env) wantNotInstalled(c workload.Component, after string) {
	e.t.Helper()
	s, err := e.status(c)
	switch {
	case fault.Is(err, fault.NotFound):
	case err != nil:
		e.t.Fatalf("after %s: Status(%s): %v; want NotFound or phase failed", after, describe(c), err)
	case s.Phase != workload.Failed:
		e.t.Fatalf("after %s: Status(%s) = phase %q (%s); want NotFound or phase failed", after, describe(c), s.Phase, s.Message)
	}
}

// wantFailedResult checks the Status a failed Apply returned: zero, or
// phase failed.
func (e *env) wantFailedResult(s workload.Status, c workload.Component, err error) {
	e.t.Helper()
	if s.Phase != "" && s.Phase != workload.Failed {
		e.t.Fatalf("Apply(%s) failed (%v) but returned phase %q; want the zero Status or phase failed", describe(c), err, s.Phase)
	}
}

// generation returns s's DetailGeneration; ok is false when s carries none.
// A value that is not a decimal unsigned integer fails the rule.
func (e *env) generation(s workload.Status, what string) (gen uint64, ok bool) {
	e.t.Helper()
	v, ok := s.Details[workload.DetailGeneration]
	if !ok {
		return 0, false
	}
	gen, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		e.t.Fatalf("%s: Details[%q] = %q, want a decimal unsigned integer", what, workload.DetailGeneration, v)
	}
	return gen, true
}

// verify runs the fixture's Verify on c, if there is one.
func (e *env) verify(c workload.Component) {
	e.t.Helper()
	if e.fx.Verify != nil {
		e.fx.Verify(e.t, e.p, c)
	}
}

// wantCanceled checks err reports a canceled context.
func wantCanceled(t testing.TB, err error, call string) {
	t.Helper()
	if !errors.Is(err, context.Canceled) && !fault.Is(err, fault.Canceled) {
		t.Fatalf("%s with a canceled context: error %v (code %q); want one wrapping context.Canceled or coded %q",
			call, err, fault.CodeOf(err), fault.Canceled)
	}
}
