// Package recorder is a testing.TB that records failures and skips instead
// of reporting them. The conformance kits use it in their own tests to run a
// rule against a deliberately broken implementation and assert that the
// rule fails, and fails for the right reason.
package recorder

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Recorder is a testing.TB that records failures and skips instead of
// reporting them, so a test can run a rule that is meant to fail. Like
// testing.T, FailNow and SkipNow end the calling goroutine. Methods it does
// not override (TempDir, Setenv, Output...) go to the parent test.
type Recorder struct {
	testing.TB
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	failed   bool
	skipped  bool
	log      []string
	cleanups []func()
}

// Run runs fn on a new Recorder, then its cleanups in reverse order, as
// testing would, each bounded by bound (name labels a timeout failure of t).
func Run(t testing.TB, name string, bound time.Duration, fn func(tb testing.TB)) *Recorder {
	t.Helper()
	rec := &Recorder{TB: t}
	rec.ctx, rec.cancel = context.WithCancel(context.Background())
	deadline := time.NewTimer(bound)
	defer deadline.Stop()
	run := func(what string, f func()) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			f()
		}()
		select {
		case <-done:
		case <-deadline.C:
			t.Fatalf("rule %s: %s did not end within %s", name, what, bound)
		}
	}
	run("the rule", func() { fn(rec) })
	rec.cancel()
	for {
		rec.mu.Lock()
		n := len(rec.cleanups)
		if n == 0 {
			rec.mu.Unlock()
			return rec
		}
		f := rec.cleanups[n-1]
		rec.cleanups = rec.cleanups[:n-1]
		rec.mu.Unlock()
		run("a cleanup", f)
	}
}

func (r *Recorder) record(skip bool, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if skip {
		r.skipped = true
	}
	r.log = append(r.log, strings.TrimSuffix(fmt.Sprintln(args...), "\n"))
}

func (r *Recorder) Helper() {}

func (r *Recorder) Context() context.Context { return r.ctx }

func (r *Recorder) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

func (r *Recorder) Log(args ...any)                 { r.record(false, args...) }
func (r *Recorder) Logf(format string, args ...any) { r.record(false, fmt.Sprintf(format, args...)) }

func (r *Recorder) Fail() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
}

func (r *Recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func (r *Recorder) FailNow() {
	r.Fail()
	runtime.Goexit()
}

func (r *Recorder) Error(args ...any)                 { r.Log(args...); r.Fail() }
func (r *Recorder) Errorf(format string, args ...any) { r.Logf(format, args...); r.Fail() }
func (r *Recorder) Fatal(args ...any)                 { r.Log(args...); r.FailNow() }
func (r *Recorder) Fatalf(format string, args ...any) { r.Logf(format, args...); r.FailNow() }

func (r *Recorder) SkipNow() {
	r.record(true)
	runtime.Goexit()
}

func (r *Recorder) Skip(args ...any)                 { r.record(true, args...); runtime.Goexit() }
func (r *Recorder) Skipf(format string, args ...any) { r.Skip(fmt.Sprintf(format, args...)) }

func (r *Recorder) Skipped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.skipped
}

// Logged is everything the rule logged.
func (r *Recorder) Logged() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.log, "\n")
}
