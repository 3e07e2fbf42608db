package bolt

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// ID is the module id.
const ID = "state.bolt"

func check(ctx context.Context, op, key string) error { return state.CheckCall(ctx, ID, op, key) }

// canceled reports a done context, keeping ctx.Err() in the chain.
func canceled(err error, op string) error { return fault.Wrap(err, fault.CodeOf(err), "%s %s", ID, op) }
