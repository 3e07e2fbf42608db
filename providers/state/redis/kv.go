package redis

import (
	"context"
	"fmt"
	"strconv"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// Get returns key's entry, or a NotFound error.
func (s *Store) Get(ctx context.Context, key string) (state.Entry, error) {
	if err := check(ctx, "get", key); err != nil {
		return state.Entry{}, err
	}
	if s.rdb == nil {
		return state.Entry{}, notOpen()
	}
	vals, err := s.rdb.HMGet(ctx, s.entryKey(key), "r", "v").Result()
	if err != nil {
		return state.Entry{}, backend(err, "get")
	}
	e, ok, err := entry(key, vals[0], vals[1])
	switch {
	case err != nil:
		return state.Entry{}, err
	case !ok:
		return state.Entry{}, fault.New(fault.NotFound, "state key %q not found", key)
	}
	return e, nil
}

// Put writes value under key if cond holds and returns the new version.
func (s *Store) Put(ctx context.Context, key string, value []byte, cond state.Cond) (uint64, error) {
	return state.PutWith(ctx, ID, key, value, cond, s.applier("put"))
}

// Delete removes key if cond holds; an absent key with a holding condition
// is not an error.
func (s *Store) Delete(ctx context.Context, key string, cond state.Cond) error {
	return state.DeleteWith(ctx, ID, key, cond, s.applier("delete"))
}

// Batch applies ops atomically and returns the version of the written keys.
func (s *Store) Batch(ctx context.Context, ops []state.Op) (uint64, error) {
	return state.BatchWith(ctx, ID, ops, s.applier("batch"))
}

// applier is apply for one kind of call (named in errors).
func (s *Store) applier(op string) state.ApplyFunc {
	return func(ctx context.Context, ops []state.Op) (uint64, error) { return s.apply(ctx, op, ops) }
}

// apply runs the write script over ops (already validated) and returns the
// new revision, or the Conflict of the first failing condition.
func (s *Store) apply(ctx context.Context, op string, ops []state.Op) (uint64, error) {
	if s.rdb == nil {
		return 0, notOpen()
	}
	keys := make([]string, 2, 2+len(ops))
	keys[0], keys[1] = s.revKey, s.idxKey
	args := make([]any, 1, 1+3*len(ops))
	args[0] = len(s.entryPrefix)
	for _, o := range ops {
		keys = append(keys, s.entryKey(o.Key))
		kind, value := "p", o.Value
		if o.Delete {
			kind, value = "d", nil // sent as ""
		}
		want := ""
		if o.If.IsSet() {
			want = strconv.FormatUint(o.If.Version(), 10)
		}
		args = append(args, kind, want, value)
	}
	reply, err := writeScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return 0, backend(err, op)
	}
	if len(reply) != 2 {
		return 0, badReply(op, reply)
	}
	i, ok := reply[0].(int64)
	if !ok || i < 0 || i > int64(len(ops)) {
		return 0, badReply(op, reply)
	}
	n, err := version(reply[1])
	if err != nil {
		return 0, err
	}
	if i == 0 {
		return n, nil
	}
	o := ops[i-1]
	if err := o.If.Check(o.Key, n); err != nil {
		return 0, err
	}
	// The script saw a mismatch that Cond.Check does not: only a corrupt
	// version field can do this.
	return 0, fault.New(fault.Unavailable, "%s %s: key %q holds version %d, which its condition rejected", ID, op, o.Key, n)
}

// entry decodes the "r" and "v" fields of an entry hash; ok is false when
// the entry does not exist.
func entry(key string, r, v any) (state.Entry, bool, error) {
	if r == nil {
		return state.Entry{}, false, nil
	}
	n, err := version(r)
	if err != nil {
		return state.Entry{}, false, fmt.Errorf("state key %q: %w", key, err)
	}
	value, ok := v.(string)
	if !ok && v != nil {
		return state.Entry{}, false, fault.New(fault.Unavailable, "state key %q holds a %T value, want a string", key, v)
	}
	return state.Entry{Key: key, Value: []byte(value), Version: n}, true, nil
}

// version parses a version as the scripts and hashes hold it (a decimal string).
func version(v any) (uint64, error) {
	s, _ := v.(string)
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fault.New(fault.Unavailable, "%s: corrupt version %#v", ID, v)
	}
	return n, nil
}

func badReply(op string, reply any) error {
	return fault.New(fault.Unavailable, "%s %s: unexpected reply %#v from the write script", ID, op, reply)
}
