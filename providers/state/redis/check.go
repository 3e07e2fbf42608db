package redis

import (
	"context"
	"errors"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// ID is the module id.
const ID = "state.redis"

func check(ctx context.Context, op, key string) error { return state.CheckCall(ctx, ID, op, key) }

// canceled reports a done context, keeping ctx.Err() in the chain.
func canceled(err error, op string) error { return fault.Wrap(err, fault.CodeOf(err), "%s %s", ID, op) }

// backend codes an error from redis: a context's end keeps its own code
// (Canceled, Timeout), anything else is Unavailable with the cause.
func backend(err error, op string) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return canceled(err, op)
	}
	return fault.Wrap(err, fault.Unavailable, "%s %s", ID, op)
}

func notOpen() error {
	return fault.New(fault.Unavailable, "%s store is not open: Init (or Open) it first", ID)
}
