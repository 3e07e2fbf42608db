package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

var (
	dataBucket = []byte("data")
	metaBucket = []byte("meta")
	revKey     = []byte("revision")
)

// openDB creates path's directory, opens the database and makes sure its
// buckets exist.
func openDB(path string, opts Options) (*bbolt.DB, error) {
	if path == "" {
		return nil, errors.New(`no state database path: set "path", e.g. "var/wfm.db"`)
	}
	shown := path
	if abs, err := filepath.Abs(path); err == nil {
		shown = abs
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create directory %q for the state database: %w; choose a writable path", filepath.Dir(shown), reason(err))
	}
	timeout := opts.OpenTimeout
	if timeout <= 0 {
		timeout = DefaultOpenTimeout
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout, NoSync: opts.NoSync})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("state database %q is locked by another process (is another cadenza running with this store?): lock wait %w after %s", shown, err, timeout)
	case isPathError(err):
		return nil, fmt.Errorf("cannot open state database %q: %w; choose a writable path", shown, reason(err))
	case err != nil:
		return nil, fmt.Errorf("cannot open state database %q: %w", shown, err)
	}
	if err := db.Update(initBuckets); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("cannot initialise state database %q: %w", shown, err)
	}
	return db, nil
}

// initBuckets creates the data and meta buckets and the revision counter.
func initBuckets(tx *bbolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(dataBucket); err != nil {
		return err
	}
	meta, err := tx.CreateBucketIfNotExists(metaBucket)
	if err != nil {
		return err
	}
	if meta.Get(revKey) != nil {
		return nil
	}
	return meta.Put(revKey, binary.BigEndian.AppendUint64(nil, 0))
}

// reason strips the operation and path from a *fs.PathError ("permission
// denied" rather than "mkdir /x: permission denied"): the message names the
// path already.
func reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func isPathError(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe)
}
