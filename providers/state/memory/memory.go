// Package memory is the in-memory state provider (module id state.memory):
// a map with a sorted key index behind one RWMutex. Data lives as long as the
// process; use it for tests, demos and hosts whose state is disposable.
package memory

import (
	"context"
	"slices"
	"sync"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// Config is state.memory's config. It has no settings: the host rejects any
// key given for it.
type Config struct{}

// Store is an in-memory state.Store.
type Store struct {
	cfg Config

	mu   sync.RWMutex
	rev  uint64          // the last revision handed out
	data map[string]item // key -> value and version
	keys []string        // the keys of data in byte order
}

type item struct {
	value   []byte
	version uint64
}

var _ state.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{data: map[string]item{}}
}

// ConfigTarget returns the (empty) config struct for the host to decode into.
func (s *Store) ConfigTarget() any { return &s.cfg }

// Get returns key's entry, or a NotFound error.
func (s *Store) Get(ctx context.Context, key string) (state.Entry, error) {
	if err := check(ctx, "get", key); err != nil {
		return state.Entry{}, err
	}
	s.mu.RLock()
	it, ok := s.data[key]
	s.mu.RUnlock()
	if !ok {
		return state.Entry{}, fault.New(fault.NotFound, "state key %q not found", key)
	}
	// it.value is never modified in place (writes replace it), so copying
	// outside the lock is safe.
	return state.Entry{Key: key, Value: slices.Clone(it.value), Version: it.version}, nil
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
// revision. ops are already validated.
func (s *Store) apply(ctx context.Context, ops []state.Op) (uint64, error) {
	values := make([][]byte, len(ops))
	for i, op := range ops {
		if !op.Delete {
			values[i] = slices.Clone(op.Value)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil { // canceled while waiting for the lock
		return 0, canceled(err, "write")
	}
	for _, op := range ops {
		if err := op.If.Check(op.Key, s.data[op.Key].version); err != nil {
			return 0, err
		}
	}
	s.rev++
	for i, op := range ops {
		if op.Delete {
			s.remove(op.Key)
		} else {
			s.set(op.Key, item{value: values[i], version: s.rev})
		}
	}
	return s.rev, nil
}

// set stores it under key, indexing a new key. Callers hold mu.
func (s *Store) set(key string, it item) {
	if _, ok := s.data[key]; !ok {
		i, _ := slices.BinarySearch(s.keys, key)
		s.keys = slices.Insert(s.keys, i, key)
	}
	s.data[key] = it
}

// remove deletes key and its index entry, if present. Callers hold mu.
func (s *Store) remove(key string) {
	if _, ok := s.data[key]; !ok {
		return
	}
	delete(s.data, key)
	if i, found := slices.BinarySearch(s.keys, key); found {
		s.keys = slices.Delete(s.keys, i, i+1)
	}
}
