package artifactstest

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
)

// BenchPullFresh measures a pull into an empty cache: each iteration pulls
// ref with a new puller from newPuller (built outside the timer), so it
// measures the download, verification and cache write. size is the content
// layer's size, for MB/s.
func BenchPullFresh(b *testing.B, newPuller func(b *testing.B) artifacts.Puller, ref string, size int64) {
	b.Helper()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		p := newPuller(b)
		b.StartTimer()
		a, err := p.Pull(b.Context(), ref, artifacts.PullOptions{})
		if err != nil {
			b.Fatalf("Pull(%q): %v", ref, err)
		}
		if a.Cached || a.Size != size {
			b.Fatalf("Pull(%q) into an empty cache: Cached %v, Size %d; want false, %d", ref, a.Cached, a.Size, size)
		}
	}
}

// BenchPullCached measures a pull that the cache answers: one puller pulls
// ref once before the timer starts, then every iteration pulls it again.
// No bytes are moved, so it reports no MB/s.
func BenchPullCached(b *testing.B, p artifacts.Puller, ref string) {
	b.Helper()
	if _, err := p.Pull(b.Context(), ref, artifacts.PullOptions{}); err != nil {
		b.Fatalf("warm-up Pull(%q): %v", ref, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		a, err := p.Pull(b.Context(), ref, artifacts.PullOptions{})
		if err != nil {
			b.Fatalf("Pull(%q): %v", ref, err)
		}
		if !a.Cached {
			b.Fatalf("Pull(%q) of a cached artifact reports Cached false", ref)
		}
	}
}
