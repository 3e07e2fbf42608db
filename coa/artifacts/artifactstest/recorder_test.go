package artifactstest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
)

// ruleBound bounds one rule run under the recorder, cleanups included.
const ruleBound = 30 * time.Second

// recorder is a testing.TB that records failures and skips instead of
// reporting them, so a test can run a rule that is meant to fail. Like
// testing.T, FailNow and SkipNow end the calling goroutine. Methods it does
// not override (TempDir, Setenv, Output...) go to the parent test.
type recorder struct {
	testing.TB
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	failed   bool
	skipped  bool
	log      []string
	cleanups []func()
}

// runRule runs r against p on a recorder, then its cleanups, as testing
// would, and returns the recorder.
func runRule(t *testing.T, r Rule, p artifacts.Puller, fx Fixture) *recorder {
	t.Helper()
	rec := &recorder{TB: t}
	rec.ctx, rec.cancel = context.WithCancel(context.Background())
	deadline := time.NewTimer(ruleBound)
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
			t.Fatalf("rule %s: %s did not end within %s", r.Name, what, ruleBound)
		}
	}
	run("the rule", func() { r.Run(rec, p, fx) })
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

func (r *recorder) record(skip bool, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if skip {
		r.skipped = true
	}
	r.log = append(r.log, strings.TrimSuffix(fmt.Sprintln(args...), "\n"))
}

func (r *recorder) Helper() {}

func (r *recorder) Context() context.Context { return r.ctx }

func (r *recorder) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

func (r *recorder) Log(args ...any)                 { r.record(false, args...) }
func (r *recorder) Logf(format string, args ...any) { r.record(false, fmt.Sprintf(format, args...)) }

func (r *recorder) Fail() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
}

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func (r *recorder) FailNow() {
	r.Fail()
	runtime.Goexit()
}

func (r *recorder) Error(args ...any)                 { r.Log(args...); r.Fail() }
func (r *recorder) Errorf(format string, args ...any) { r.Logf(format, args...); r.Fail() }
func (r *recorder) Fatal(args ...any)                 { r.Log(args...); r.FailNow() }
func (r *recorder) Fatalf(format string, args ...any) { r.Logf(format, args...); r.FailNow() }

func (r *recorder) SkipNow() {
	r.record(true)
	runtime.Goexit()
}

func (r *recorder) Skip(args ...any)                 { r.record(true, args...); runtime.Goexit() }
func (r *recorder) Skipf(format string, args ...any) { r.Skip(fmt.Sprintf(format, args...)) }

func (r *recorder) Skipped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.skipped
}

// output is everything the rule logged.
func (r *recorder) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.log, "\n")
}
