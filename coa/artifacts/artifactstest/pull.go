package artifactstest

import (
	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
)

// pullByTag: a pull by tag returns the pushed bytes, the manifest digest
// and the layer's media type, size and digest; into an empty cache, it
// downloads (Cached false).
func pullByTag(e *env) {
	a := e.mustPull(e.fx.Tag, artifacts.PullOptions{})
	if a.Cached {
		e.t.Fatalf("the first Pull(%q) into an empty cache reports Cached; want false", e.fx.Tag)
	}
}

// pullByDigest: a pull by digest returns the same artifact as the pull by
// tag, at the same Path.
func pullByDigest(e *env) {
	byDigest := e.mustPull(e.fx.ByDigest, artifacts.PullOptions{})
	if byDigest.Cached {
		e.t.Fatalf("the first Pull(%q) into an empty cache reports Cached; want false", e.fx.ByDigest)
	}
	byTag := e.mustPull(e.fx.Tag, artifacts.PullOptions{})
	if byTag.Path != byDigest.Path {
		e.t.Fatalf("the same content is at %q (by digest) and %q (by tag); want one cache entry", byDigest.Path, byTag.Path)
	}
}

// secondPullIsCached: pulling content again downloads nothing, whether by
// digest or by tag.
func secondPullIsCached(e *env) {
	first := e.mustPull(e.fx.ByDigest, artifacts.PullOptions{})
	if first.Cached {
		e.t.Fatalf("the first Pull(%q) into an empty cache reports Cached; want false", e.fx.ByDigest)
	}
	before, counting := e.blobFetches()
	for _, ref := range []string{e.fx.ByDigest, e.fx.Tag} {
		var events []artifacts.Event
		a := e.mustPull(ref, artifacts.PullOptions{Progress: func(ev artifacts.Event) { events = append(events, ev) }})
		if !a.Cached {
			e.t.Fatalf("Pull(%q) after the content was pulled reports Cached false; want true (served from the cache)", ref)
		}
		if a.Path != first.Path {
			e.t.Fatalf("Pull(%q) from the cache returned Path %q, want %q", ref, a.Path, first.Path)
		}
		if n := len(events); n == 0 || events[n-1].Done != a.Size || events[n-1].Total != a.Size {
			e.t.Fatalf("Pull(%q) from the cache reported events %+v; want a last one with Done == Total == %d", ref, events, a.Size)
		}
	}
	if after, _ := e.blobFetches(); counting && after != before {
		e.t.Fatalf("the registry served %d blob downloads for pulls the cache should have answered", after-before)
	}
}

// mediaTypeFilter: a filter matching the content layer pulls it; one
// matching no layer is Unprocessable.
func mediaTypeFilter(e *env) {
	e.mustPull(e.fx.ByDigest, artifacts.PullOptions{MediaTypes: []string{e.fx.MediaType}})
	e.mustPull(e.fx.Tag, artifacts.PullOptions{MediaTypes: []string{"application/vnd.artifactstest.absent", e.fx.MediaType}})
	for _, ref := range []string{e.fx.ByDigest, e.fx.Tag} {
		a, err := e.pull(ref, artifacts.PullOptions{MediaTypes: []string{"application/vnd.artifactstest.absent"}})
		if err == nil {
			e.t.Fatalf("Pull(%q) with a media type no layer has returned %+v; want an Unprocessable error", ref, a)
		}
		e.wantCode(err, "Pull("+ref+") accepting only an absent media type", fault.Unprocessable)
	}
}
