package state

import (
	"context"
	"fmt"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// CheckCall is the common entry check of a single-key Store call: it fails
// on a done context (keeping ctx.Err() in the chain) or an invalid key.
// provider names the implementation in messages ("state.bolt").
func CheckCall(ctx context.Context, provider, op, key string) error {
	if err := ctx.Err(); err != nil {
		return fault.Wrap(err, fault.CodeOf(err), "%s %s", provider, op)
	}
	return CheckKey(key)
}

// CheckBatch is the common entry check of Batch: a done context, an
// invalid key, or a key named twice (BadRequest) fail it.
func CheckBatch(ctx context.Context, provider string, ops []Op) error {
	if err := ctx.Err(); err != nil {
		return fault.Wrap(err, fault.CodeOf(err), "%s batch", provider)
	}
	var seen map[string]int
	if len(ops) > 1 {
		seen = make(map[string]int, len(ops))
	}
	for i, op := range ops {
		if err := CheckKey(op.Key); err != nil {
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

// ApplyFunc writes ops atomically: every condition is checked first, then
// every op is written under one new revision, which it returns. The ops are
// already validated.
type ApplyFunc func(ctx context.Context, ops []Op) (uint64, error)

// PutWith is Put for a store that reduces every write to apply.
func PutWith(ctx context.Context, provider, key string, value []byte, cond Cond, apply ApplyFunc) (uint64, error) {
	if err := CheckCall(ctx, provider, "put", key); err != nil {
		return 0, err
	}
	return apply(ctx, []Op{{Key: key, Value: value, If: cond}})
}

// DeleteWith is Delete for a store that reduces every write to apply.
func DeleteWith(ctx context.Context, provider, key string, cond Cond, apply ApplyFunc) error {
	if err := CheckCall(ctx, provider, "delete", key); err != nil {
		return err
	}
	_, err := apply(ctx, []Op{{Key: key, Delete: true, If: cond}})
	return err
}

// BatchWith is Batch for a store that reduces every write to apply: an
// empty batch writes nothing and returns 0.
func BatchWith(ctx context.Context, provider string, ops []Op, apply ApplyFunc) (uint64, error) {
	if err := CheckBatch(ctx, provider, ops); err != nil {
		return 0, err
	}
	if len(ops) == 0 {
		return 0, nil
	}
	return apply(ctx, ops)
}
