package bolt

import (
	"context"
	"encoding/binary"

	bbolt "go.etcd.io/bbolt"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// Get returns key's entry, or a NotFound error.
func (s *Store) Get(ctx context.Context, key string) (state.Entry, error) {
	if err := check(ctx, "get", key); err != nil {
		return state.Entry{}, err
	}
	var e state.Entry
	err := s.view(func(tx *bbolt.Tx) error {
		raw := tx.Bucket(dataBucket).Get([]byte(key))
		if raw == nil {
			return fault.New(fault.NotFound, "state key %q not found", key)
		}
		var err error
		e, err = decode(key, raw)
		return err
	})
	return e, err
}

// Put writes value under key if cond holds and returns the new version.
func (s *Store) Put(ctx context.Context, key string, value []byte, cond state.Cond) (uint64, error) {
	return state.PutWith(ctx, ID, key, value, cond, s.apply)
}

// Delete removes key if cond holds; an absent key with a holding condition
// is not an error.
func (s *Store) Delete(ctx context.Context, key string, cond state.Cond) error {
	return state.DeleteWith(ctx, ID, key, cond, s.apply)
}

// Batch applies ops atomically and returns the version of the written keys.
func (s *Store) Batch(ctx context.Context, ops []state.Op) (uint64, error) {
	return state.BatchWith(ctx, ID, ops, s.apply)
}

// apply checks every condition, then writes every op under one new
// revision, in one read-write transaction. ops are already validated.
func (s *Store) apply(ctx context.Context, ops []state.Op) (uint64, error) {
	var rev uint64
	err := s.update(func(tx *bbolt.Tx) error {
		if err := ctx.Err(); err != nil { // canceled while waiting for the writer lock
			return canceled(err, "write")
		}
		data, meta := tx.Bucket(dataBucket), tx.Bucket(metaBucket)
		for _, op := range ops {
			cur, err := versionOf(op.Key, data.Get([]byte(op.Key)))
			if err != nil {
				return err
			}
			if err := op.If.Check(op.Key, cur); err != nil {
				return err
			}
		}
		rev = binary.BigEndian.Uint64(meta.Get(revKey)) + 1
		for _, op := range ops {
			var err error
			if op.Delete {
				err = data.Delete([]byte(op.Key))
			} else {
				err = data.Put([]byte(op.Key), encode(rev, op.Value))
			}
			if err != nil {
				return err
			}
		}
		return meta.Put(revKey, revisionBytes(rev))
	})
	if err != nil {
		return 0, err
	}
	return rev, nil
}
