package sync

import (
	"log/slog"
	"time"

	"github.com/cadenza-edge/cadenza/coa/state"
)

// The agent is built from parts, each the only owner of its own state:
//
//	link        the device identity, trust and onboarding, the signed
//	            client and the backoff of every exchange with the WFM (link.go)
//	reporter    the capabilities report (capabilities.go)
//	poller      the manifest poll and the accepted target (poll.go, fetch.go, accept.go)
//	reconciler  the convergence of the device toward the target through the
//	            workload providers (reconcile.go, apply.go, remove.go)
//	statusQueue the durable, ordered queue of status reports and its
//	            delivery (queue.go)
//	errorLog    the recent errors the local API shows (errors.go)
//
// The Manager wires them, runs the loop that calls them in order (loop.go)
// and answers the local API's reads (views.go). Only the loop goroutine
// calls the parts; the board is what they share with readers.

// base is what every part shares, read-only once Init has built it.
type base struct {
	cfg   *Config
	store state.Store
	log   *slog.Logger
	met   *metrics
	clock func() time.Time
	errs  *errorLog
	board *board
}

func (b *base) now() time.Time { return b.clock() }
