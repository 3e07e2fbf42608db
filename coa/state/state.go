// Package state is the contract of key-value state providers (state.memory,
// state.bolt, state.redis): get, conditional put, delete, ordered prefix
// listing with paging, and atomic batches.
//
// Versions are store-wide revisions: every successful write of a key gives it
// a version greater than any version the store has handed out before, so a
// version never repeats for a key, even across delete and re-create. Version
// 0 means "absent".
package state

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// Entry is one stored value.
type Entry struct {
	Key     string
	Value   []byte
	Version uint64
}

// Cond is a write precondition. The zero Cond is unconditional.
type Cond struct {
	set     bool
	version uint64
}

// IfVersion requires the key's current version to be v (0 = absent).
func IfVersion(v uint64) Cond { return Cond{set: true, version: v} }

// IfAbsent requires the key not to exist.
func IfAbsent() Cond { return IfVersion(0) }

// Always is the unconditional Cond.
func Always() Cond { return Cond{} }

// Check returns nil when current satisfies the condition, else a Conflict error.
func (c Cond) Check(key string, current uint64) error {
	if !c.set || c.version == current {
		return nil
	}
	if c.version == 0 {
		return fault.New(fault.Conflict, "key %q already exists (version %d)", key, current)
	}
	if current == 0 {
		return fault.New(fault.Conflict, "key %q does not exist (expected version %d)", key, c.version)
	}
	return fault.New(fault.Conflict, "key %q is at version %d, expected %d", key, current, c.version)
}

// IsSet reports whether the condition checks anything.
func (c Cond) IsSet() bool { return c.set }

// Version returns the expected version (meaningful when IsSet).
func (c Cond) Version() uint64 { return c.version }

// Op is one operation of a batch: a put (Delete false) or a delete.
type Op struct {
	Key    string
	Value  []byte
	Delete bool
	If     Cond
}

// ListOptions page a prefix listing. Keys are returned in byte order.
type ListOptions struct {
	After string // return keys strictly greater than After (the previous page's Next)
	Limit int    // at most Limit entries; <= 0 means the store's default (100)
}

// Page is one page of a listing. Next is "" on the last page.
type Page struct {
	Entries []Entry
	Next    string
}

// DefaultPageSize is the page size when ListOptions.Limit <= 0.
const DefaultPageSize = 100

// MaxPageSize caps ListOptions.Limit.
const MaxPageSize = 10000

// Store is the state provider contract. All methods are safe for concurrent
// use. Errors carry fault codes: NotFound (Get of an absent key), Conflict (a
// failed condition, including a condition expecting a version > 0 on an
// absent key, see Cond.Check), BadRequest (an empty key, an invalid option,
// a key named twice in one batch), Unavailable (the backend). A canceled
// context fails the call without writing; the error wraps ctx.Err() or
// carries fault.Canceled.
type Store interface {
	Get(ctx context.Context, key string) (Entry, error)
	// Put writes value under key if the condition holds and returns the new version.
	Put(ctx context.Context, key string, value []byte, cond Cond) (uint64, error)
	// Delete removes key if the condition holds. Deleting an absent key with
	// an unset condition succeeds.
	Delete(ctx context.Context, key string, cond Cond) error
	// List returns entries whose key starts with prefix, in key order.
	List(ctx context.Context, prefix string, opts ListOptions) (Page, error)
	// Batch applies all ops atomically: if any condition fails nothing is
	// written and the Conflict error names the key. It returns the version
	// given to the written keys (all puts of a batch share one version).
	// A batch naming a key twice is a BadRequest; an empty batch writes
	// nothing and returns 0.
	Batch(ctx context.Context, ops []Op) (uint64, error)
}

// CheckKey validates a key: non-empty, at most 1024 bytes.
func CheckKey(key string) error {
	if key == "" {
		return fault.New(fault.BadRequest, "empty state key")
	}
	if len(key) > 1024 {
		return fault.New(fault.BadRequest, "state key longer than 1024 bytes")
	}
	return nil
}

// PageLimit returns the effective page size for opts.
func PageLimit(opts ListOptions) int {
	switch {
	case opts.Limit <= 0:
		return DefaultPageSize
	case opts.Limit > MaxPageSize:
		return MaxPageSize
	}
	return opts.Limit
}
