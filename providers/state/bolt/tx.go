package bolt

import (
	"errors"

	bbolt "go.etcd.io/bbolt"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// view runs fn in a read-only transaction.
func (s *Store) view(fn func(*bbolt.Tx) error) error {
	if s.db == nil {
		return notOpen()
	}
	return backend(s.db.View(fn))
}

// update runs fn in a read-write transaction, committed (and synced unless
// NoSync) when fn returns nil and rolled back otherwise.
func (s *Store) update(fn func(*bbolt.Tx) error) error {
	if s.db == nil {
		return notOpen()
	}
	return backend(s.db.Update(fn))
}

// backend passes fault errors through and codes bbolt's own as Unavailable.
func backend(err error) error {
	var fe *fault.Error
	if err == nil || errors.As(err, &fe) {
		return err
	}
	return fault.Wrap(err, fault.Unavailable, "state.bolt")
}

func notOpen() error {
	return fault.New(fault.Unavailable, "state.bolt store is not open")
}
