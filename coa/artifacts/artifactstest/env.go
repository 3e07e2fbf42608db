package artifactstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
)

// env is what one rule run shares with its helpers.
type env struct {
	t        testing.TB
	p        artifacts.Puller
	fx       Fixture
	o        options
	ctx      context.Context // ends at the rule's deadline
	deadline time.Time
}

func newEnv(t testing.TB, p artifacts.Puller, fx Fixture, o options) *env {
	t.Helper()
	if p == nil {
		t.Fatal("newPuller returned nil")
	}
	ctx, cancel := context.WithTimeout(t.Context(), o.timeout)
	t.Cleanup(cancel)
	deadline, _ := ctx.Deadline()
	return &env{t: t, p: p, fx: fx, o: o, ctx: ctx, deadline: deadline}
}

// limit is how long a call made now may take: until the rule's deadline,
// plus the time a puller may take to notice it.
func (e *env) limit() time.Duration { return time.Until(e.deadline) + e.o.prompt() }

// panicError is a puller panic turned into an error by bounded.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v\n%s", p.value, p.stack) }

// bounded runs fn in a goroutine and waits at most limit for it; ok is
// false when fn is still running (it is abandoned). A panic becomes a
// *panicError.
func bounded(limit time.Duration, fn func() error) (err error, ok bool) {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- &panicError{value: r, stack: debug.Stack()}
			}
		}()
		done <- fn()
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case err := <-done:
		return err, true
	case <-timer.C:
		return nil, false
	}
}

// pullCtx calls Pull with ctx, bounded by limit; a hang or a panic fails
// the rule.
func (e *env) pullCtx(ctx context.Context, limit time.Duration, ref string, opts artifacts.PullOptions) (*artifacts.Artifact, error) {
	e.t.Helper()
	var a *artifacts.Artifact
	err, ok := bounded(limit, func() (err error) {
		a, err = e.p.Pull(ctx, ref, opts)
		return err
	})
	if !ok {
		e.t.Fatalf("Pull(%q) did not return within %s", ref, limit.Round(time.Millisecond))
	}
	if pe := (*panicError)(nil); errors.As(err, &pe) {
		e.t.Fatalf("Pull(%q) panicked: %v", ref, pe)
	}
	if err == nil && a == nil {
		e.t.Fatalf("Pull(%q) returned neither an artifact nor an error", ref)
	}
	return a, err
}

func (e *env) pull(ref string, opts artifacts.PullOptions) (*artifacts.Artifact, error) {
	e.t.Helper()
	return e.pullCtx(e.ctx, e.limit(), ref, opts)
}

// mustPull pulls ref and checks the result is the fixture's artifact.
func (e *env) mustPull(ref string, opts artifacts.PullOptions) *artifacts.Artifact {
	e.t.Helper()
	a, err := e.pull(ref, opts)
	if err != nil {
		e.t.Fatalf("Pull(%q): %v (code %q)", ref, err, fault.CodeOf(err))
	}
	e.wantFixture(a, ref)
	return a
}

// wantFixture checks a is the fixture's artifact pulled as ref.
func (e *env) wantFixture(a *artifacts.Artifact, ref string) {
	e.t.Helper()
	fx := e.fx
	switch {
	case a.Ref != ref:
		e.t.Fatalf("Pull(%q).Ref = %q, want the reference as passed", ref, a.Ref)
	case a.Digest != fx.Digest:
		e.t.Fatalf("Pull(%q).Digest = %q, want the manifest digest %q", ref, a.Digest, fx.Digest)
	case a.MediaType != fx.MediaType:
		e.t.Fatalf("Pull(%q).MediaType = %q, want %q", ref, a.MediaType, fx.MediaType)
	case a.Size != int64(len(fx.Content)):
		e.t.Fatalf("Pull(%q).Size = %d, want %d", ref, a.Size, len(fx.Content))
	case a.LayerDigest != fx.layerDigest():
		e.t.Fatalf("Pull(%q).LayerDigest = %q, want %q", ref, a.LayerDigest, fx.layerDigest())
	}
	got, err := os.ReadFile(a.Path)
	if err != nil {
		e.t.Fatalf("Pull(%q).Path %q: %v", ref, a.Path, err)
	}
	if !bytes.Equal(got, fx.Content) {
		e.t.Fatalf("Pull(%q).Path %q holds %d bytes that differ from the pushed %d", ref, a.Path, len(got), len(fx.Content))
	}
	for k, v := range fx.Annotations {
		if a.Annotations[k] != v {
			e.t.Fatalf("Pull(%q).Annotations[%q] = %q, want %q (all: %v)", ref, k, a.Annotations[k], v, a.Annotations)
		}
	}
}

// wantCode checks err carries one of codes.
func (e *env) wantCode(err error, call string, codes ...fault.Code) {
	e.t.Helper()
	if err == nil || !slices.Contains(codes, fault.CodeOf(err)) {
		e.t.Fatalf("%s: error %v (code %q); want one coded %q", call, err, fault.CodeOf(err), codes)
	}
}

// blobFetches reads the fixture's download counter; ok is false without one.
func (e *env) blobFetches() (n int64, ok bool) {
	if e.fx.BlobFetches == nil {
		return 0, false
	}
	return e.fx.BlobFetches(), true
}

// wantCanceled checks err reports a canceled context.
func wantCanceled(t testing.TB, err error, call string) {
	t.Helper()
	if !errors.Is(err, context.Canceled) && !fault.Is(err, fault.Canceled) {
		t.Fatalf("%s with a canceled context: error %v (code %q); want one wrapping context.Canceled or coded %q",
			call, err, fault.CodeOf(err), fault.Canceled)
	}
}
