package sync

import (
	stdsync "sync"
	"time"
)

// board is what the loop shares with readers (the local API, Health, Sync):
// the runtime view, under its own lock.
type board struct {
	mu stdsync.Mutex
	rt runtimeView
}

// runtimeView is the loop's state as readers see it.
type runtimeView struct {
	ClientID       string
	Blocked        string
	LastPoll       time.Time
	LastPollResult string
	LastPollError  string
	LastError      string
	syncRequested  bool
}

// update changes the view under the lock.
func (b *board) update(f func(*runtimeView)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f(&b.rt)
}

// read returns a copy of the view.
func (b *board) read() runtimeView {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rt
}

// requestSync asks for a poll at the next step.
func (b *board) requestSync() { b.update(func(rt *runtimeView) { rt.syncRequested = true }) }

// takeSyncRequest consumes a pending Sync request.
func (b *board) takeSyncRequest() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.rt.syncRequested
	b.rt.syncRequested = false
	return r
}

// setPoll records the outcome of a poll.
func (b *board) setPoll(at time.Time, result string, err error) {
	b.update(func(rt *runtimeView) {
		rt.LastPoll, rt.LastPollResult, rt.LastPollError = at.UTC(), result, ""
		if err != nil {
			rt.LastPollError = err.Error()
		}
	})
}

// setPollSkipped notes that polling is not allowed now.
func (b *board) setPollSkipped(down bool) {
	b.update(func(rt *runtimeView) {
		if down {
			rt.LastPollResult = "skipped: downtime"
		} else {
			rt.LastPollResult = "skipped: outside polling hours"
		}
	})
}
