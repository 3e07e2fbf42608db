package bolt

import (
	"context"
	"fmt"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// check fails a single-key call on a done context or an invalid key.
func check(ctx context.Context, op, key string) error {
	if err := ctx.Err(); err != nil {
		return canceled(err, op)
	}
	return state.CheckKey(key)
}

// checkOps fails a batch on a done context, an invalid key or a key named
// twice.
func checkOps(ctx context.Context, ops []state.Op) error {
	if err := ctx.Err(); err != nil {
		return canceled(err, "batch")
	}
	var seen map[string]int
	if len(ops) > 1 {
		seen = make(map[string]int, len(ops))
	}
	for i, op := range ops {
		if err := state.CheckKey(op.Key); err != nil {
			return fmt.Errorf("batch op %d: %w", i, err)
		}
		if seen == nil {
			continue
		}
		if j, dup := seen[op.Key]; dup {
			return fault.New(fault.BadRequest, "batch names key %q twice (ops %d and %d)", op.Key, j, i)
		}
		seen[op.Key] = i
	}
	return nil
}

// canceled reports a done context, keeping ctx.Err() in the chain.
func canceled(err error, op string) error {
	return fault.Wrap(err, fault.CodeOf(err), "state.bolt %s", op)
}
