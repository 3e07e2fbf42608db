package oras

import "github.com/cadenza-edge/cadenza/coa/artifacts"

// progressStep is the most content a download streams between two events.
// Writes come in chunks of at most copyBuffer bytes, so an event is due
// once progressStep-copyBuffer bytes have passed since the last one.
const progressStep = 1 << 20

// progress turns a download's bytes into artifacts.Events. It is used by
// one goroutine (the one that called Pull), so events arrive one at a time
// and stop when Pull returns. Done never decreases, not even when a retry
// starts the download over.
type progress struct {
	ref   string
	total int64
	fn    func(artifacts.Event) // nil: report nothing
	done  int64                 // bytes of the current attempt
	shown int64                 // the highest Done reported
}

// restart begins an attempt: the bytes count from zero again.
func (p *progress) restart(msg string) {
	p.done = 0
	p.event(0, msg)
}

// Write counts streamed bytes and reports them at least every progressStep.
func (p *progress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if p.done >= p.shown+progressStep-copyBuffer && p.done < p.total {
		p.event(p.done, "downloading")
	}
	return len(b), nil
}

// cached reports a cache hit.
func (p *progress) cached(size int64) { p.event(size, "cached") }

// event reports done bytes (never fewer than already reported).
func (p *progress) event(done int64, msg string) {
	if p.fn == nil {
		return
	}
	p.shown = max(p.shown, done)
	p.fn(artifacts.Event{Ref: p.ref, Done: p.shown, Total: p.total, Message: msg})
}
