package oras

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// A multi-MiB pull reports its start, at least every MiB, and its end; a
// cache hit reports one event.
func TestProgressForLargePull(t *testing.T) {
	reg := testserver.Registry(t)
	const size = 5<<20 + 12345
	data, _ := pushRandom(t, reg, "big/app:1.0", size)
	p := newTestPuller(t, plain(reg.Host))
	ref := reg.Ref("big/app:1.0")

	var events []artifacts.Event
	a, err := p.Pull(t.Context(), ref, artifacts.PullOptions{Progress: func(e artifacts.Event) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	sameFile(t, a.Path, data)
	if len(events) < size>>20+2 {
		t.Fatalf("%d events for %d bytes, want at least one per MiB plus start and end: %+v", len(events), size, events)
	}
	if first := events[0]; first.Done != 0 || first.Total != size {
		t.Fatalf("first event %+v, want Done 0 of %d", first, size)
	}
	var prev int64
	for i, e := range events {
		if e.Ref != ref || e.Total != size || e.Done < prev || e.Done-prev > progressStep {
			t.Fatalf("event %d %+v after Done %d: want the ref, Total %d, steps of at most %d", i, e, prev, size, progressStep)
		}
		prev = e.Done
	}
	if last := events[len(events)-1]; last.Done != size {
		t.Fatalf("last event %+v, want Done %d", last, size)
	}

	events = nil
	if a, err = p.Pull(t.Context(), ref, artifacts.PullOptions{Progress: func(e artifacts.Event) { events = append(events, e) }}); err != nil || !a.Cached {
		t.Fatalf("second pull: %+v, %v", a, err)
	}
	if len(events) != 1 || events[0].Done != size || events[0].Message != "cached" {
		t.Fatalf("a cache hit reported %+v, want one 'cached' event with Done %d", events, size)
	}
}

// Done never goes back when a retry starts a download over.
func TestProgressNeverGoesBack(t *testing.T) {
	var got []artifacts.Event
	p := &progress{ref: "r", total: 3 << 20, fn: func(e artifacts.Event) { got = append(got, e) }}
	p.restart("downloading")
	_, _ = p.Write(make([]byte, 2<<20))
	p.restart("downloading again")
	_, _ = p.Write(make([]byte, 1<<20))
	p.event(3<<20, "downloaded")
	var prev int64
	for _, e := range got {
		if e.Done < prev {
			t.Fatalf("events went back: %+v", got)
		}
		prev = e.Done
	}
	if prev != 3<<20 {
		t.Fatalf("events %+v do not end at the total", got)
	}
}
