package artifactstest

import (
	"context"
	"sync"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
)

// missingIsNotFound: an absent tag or digest is NotFound, never another
// code (the agent must not read a missing package as a registry outage, nor
// as a malformed reference).
func missingIsNotFound(e *env) {
	for _, ref := range []string{e.fx.Missing, e.fx.missingDigest()} {
		a, err := e.pull(ref, artifacts.PullOptions{})
		if err == nil {
			e.t.Fatalf("Pull(%q) of an absent artifact returned %+v; want a NotFound error", ref, a)
		}
		e.wantCode(err, "Pull("+ref+") of an absent artifact", fault.NotFound)
	}
}

// malformedIsBadRequest: references that cannot name an artifact are
// BadRequest.
func malformedIsBadRequest(e *env) {
	for _, ref := range e.fx.malformed() {
		a, err := e.pull(ref, artifacts.PullOptions{})
		if err == nil {
			e.t.Fatalf("Pull(%q) of a malformed reference returned %+v; want a BadRequest error", ref, a)
		}
		e.wantCode(err, "Pull("+ref+") of a malformed reference", fault.BadRequest)
	}
}

// canceledContextFailsPromptly: a Pull whose context is already canceled
// fails within Prompt, and leaves nothing in the cache.
func canceledContextFailsPromptly(e *env) {
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	for _, ref := range []string{e.fx.Tag, e.fx.ByDigest} {
		a, err := e.pullCtx(ctx, e.o.prompt(), ref, artifacts.PullOptions{})
		if err == nil {
			e.t.Fatalf("Pull(%q) with a canceled context returned %+v; want an error", ref, a)
		}
		wantCanceled(e.t, err, "Pull("+ref+")")
	}
	if a := e.mustPull(e.fx.ByDigest, artifacts.PullOptions{}); a.Cached {
		e.t.Fatalf("Pull(%q) after only canceled pulls reports Cached; a canceled Pull must not fill the cache", e.fx.ByDigest)
	}
}

// cancelDuringPull: a Pull canceled at its first progress event either
// fails with a canceled error or returns the right artifact; either way the
// next Pull returns the right content.
func cancelDuringPull(e *env) {
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	var once sync.Once
	progress := func(artifacts.Event) { once.Do(cancel) }
	a, err := e.pullCtx(ctx, e.limit(), e.fx.ByDigest, artifacts.PullOptions{Progress: progress})
	switch {
	case err != nil:
		wantCanceled(e.t, err, "Pull("+e.fx.ByDigest+") canceled at its first progress event")
	default:
		e.wantFixture(a, e.fx.ByDigest)
	}
	e.mustPull(e.fx.ByDigest, artifacts.PullOptions{})
	e.mustPull(e.fx.Tag, artifacts.PullOptions{})
}

// tamperedIsUnprocessable: content that does not match its digest is
// refused, and refused again (it was not cached).
func tamperedIsUnprocessable(e *env) {
	if e.fx.Tampered == "" {
		e.t.Skip("the fixture has no Tampered reference")
	}
	for range 2 {
		a, err := e.pull(e.fx.Tampered, artifacts.PullOptions{})
		if err == nil {
			e.t.Fatalf("Pull(%q) of tampered content returned %+v; want an Unprocessable error", e.fx.Tampered, a)
		}
		e.wantCode(err, "Pull("+e.fx.Tampered+") of tampered content", fault.Unprocessable)
	}
}
