// Package bolt is the embedded state provider (module id state.bolt): one
// bbolt file holding every key with its version, and the store-wide revision
// in a meta bucket so versions keep increasing across restarts.
//
// Layout: bucket "data" maps key -> 8-byte big-endian version + value;
// bucket "meta" maps "revision" -> the last revision handed out (8-byte
// big-endian). Every write is one bbolt read-write transaction, synced to
// disk before it returns unless NoSync is set.
package bolt

import (
	"context"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// DefaultOpenTimeout is how long Open waits for the file lock by default.
const DefaultOpenTimeout = 2 * time.Second

// Options tune Open.
type Options struct {
	// OpenTimeout is how long to wait for another process to release the
	// file lock; 0 means DefaultOpenTimeout.
	OpenTimeout time.Duration
	// NoSync skips the fsync after each write: much faster, but a crash of
	// the machine (not just the process) can lose or corrupt recent writes.
	NoSync bool
}

// Store is a bbolt-backed state.Store. Build it with Open, or let the host
// build it through the state.bolt registration (config, then Init).
type Store struct {
	cfg Config
	db  *bbolt.DB
}

var (
	_ state.Store          = (*Store)(nil)
	_ module.Configurable  = (*Store)(nil)
	_ module.Initer        = (*Store)(nil)
	_ module.Closer        = (*Store)(nil)
	_ module.HealthChecker = (*Store)(nil)
)

// Open opens (creating when needed) the database at path, with its parent
// directories. Errors are one line saying what to change.
func Open(path string, opts Options) (*Store, error) {
	db, err := openDB(path, opts)
	if err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

// Close closes the database. It is safe to call more than once.
func (s *Store) Close(context.Context) error {
	if s.db == nil {
		return nil
	}
	return s.db.Close()
}

// Health returns nil while the database is open and readable.
func (s *Store) Health(context.Context) error {
	return s.view(func(tx *bbolt.Tx) error {
		if tx.Bucket(dataBucket) == nil || tx.Bucket(metaBucket) == nil {
			return fault.New(fault.Unavailable, "state database %q lacks its buckets", s.db.Path())
		}
		return nil
	})
}

// Path returns the database file's path.
func (s *Store) Path() string {
	if s.db == nil {
		return ""
	}
	return s.db.Path()
}
