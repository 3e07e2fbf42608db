package artifactstest

import (
	"fmt"
	"sync"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
)

// concurrentPulls: Concurrency simultaneous Pulls of one artifact all
// succeed with the same content at the same Path, sharing one download.
func concurrentPulls(e *env) {
	before, counting := e.blobFetches()
	type result struct {
		a   *artifacts.Artifact
		err error
	}
	start := make(chan struct{})
	results := make(chan result, Concurrency)
	for i := range Concurrency {
		ref := e.fx.ByDigest
		if i%2 == 1 {
			ref = e.fx.Tag
		}
		go func() {
			<-start
			var r result
			err, ok := bounded(e.limit(), func() (err error) {
				r.a, r.err = e.p.Pull(e.ctx, ref, artifacts.PullOptions{})
				return nil
			})
			if !ok {
				r.err = fmt.Errorf("Pull(%q) did not return within the rule's timeout", ref)
			} else if err != nil {
				r.err = err // a panic
			}
			results <- r
		}()
	}
	close(start)
	downloads := 0
	var path string
	for range Concurrency {
		r := <-results
		if r.err != nil {
			e.t.Fatalf("one of %d concurrent Pulls failed: %v", Concurrency, r.err)
		}
		if r.a == nil {
			e.t.Fatalf("one of %d concurrent Pulls returned neither an artifact nor an error", Concurrency)
		}
		e.wantFixture(r.a, r.a.Ref)
		if !r.a.Cached {
			downloads++
		}
		if path != "" && r.a.Path != path {
			e.t.Fatalf("concurrent Pulls returned the content at %q and at %q; want one cache entry", path, r.a.Path)
		}
		path = r.a.Path
	}
	if downloads != 1 {
		e.t.Fatalf("%d of %d concurrent Pulls into an empty cache report Cached false; want exactly 1 (one download)", downloads, Concurrency)
	}
	if after, _ := e.blobFetches(); counting && after-before != 1 {
		e.t.Fatalf("%d concurrent Pulls made the registry serve %d blob downloads; want 1", Concurrency, after-before)
	}
}

// progressEvents: an uncached Pull reports events that name the ref, never
// go backwards, stay within Total and end at Done == Total == Size; none
// arrives after Pull returned.
func progressEvents(e *env) {
	var (
		mu       sync.Mutex
		events   []artifacts.Event
		returned bool
		late     []artifacts.Event
	)
	opts := artifacts.PullOptions{Progress: func(ev artifacts.Event) {
		mu.Lock()
		defer mu.Unlock()
		if returned {
			late = append(late, ev)
		}
		events = append(events, ev)
	}}
	a := e.mustPull(e.fx.Tag, opts)
	mu.Lock()
	returned = true
	got := append([]artifacts.Event(nil), events...)
	mu.Unlock()

	if len(got) == 0 {
		e.t.Fatalf("Pull(%q) into an empty cache reported no progress event", e.fx.Tag)
	}
	var done int64
	for i, ev := range got {
		switch {
		case ev.Ref != e.fx.Tag:
			e.t.Fatalf("event %d %+v names ref %q, want %q", i, ev, ev.Ref, e.fx.Tag)
		case ev.Done < done:
			e.t.Fatalf("event %d %+v goes back from Done %d", i, ev, done)
		case ev.Done < 0 || ev.Total < 0 || (ev.Total > 0 && ev.Done > ev.Total):
			e.t.Fatalf("event %d %+v has Done outside [0, Total]", i, ev)
		}
		done = ev.Done
	}
	if last := got[len(got)-1]; last.Done != a.Size || last.Total != a.Size {
		e.t.Fatalf("the last event %+v does not have Done == Total == Size (%d)", last, a.Size)
	}
	// A second Pull gives a late event from the first one time to arrive.
	e.mustPull(e.fx.ByDigest, artifacts.PullOptions{})
	mu.Lock()
	defer mu.Unlock()
	if len(late) > 0 {
		e.t.Fatalf("Pull(%q) reported %d events after it returned, first %+v", e.fx.Tag, len(late), late[0])
	}
}
