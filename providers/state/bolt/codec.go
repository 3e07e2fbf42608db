package bolt

import (
	"encoding/binary"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// versionSize is the length of the version prefix of a stored value.
const versionSize = 8

// encode returns the stored form of value at version.
func encode(version uint64, value []byte) []byte {
	buf := make([]byte, versionSize, versionSize+len(value))
	binary.BigEndian.PutUint64(buf, version)
	return append(buf, value...)
}

// versionOf returns the version of a stored value (0 for nil: absent).
func versionOf(key string, raw []byte) (uint64, error) {
	switch {
	case raw == nil:
		return 0, nil
	case len(raw) < versionSize:
		return 0, corrupt(key, raw)
	}
	return binary.BigEndian.Uint64(raw), nil
}

func corrupt(key string, raw []byte) error {
	return fault.New(fault.Unavailable, "state key %q holds a corrupt %d-byte record", key, len(raw))
}

// decode returns the entry of a stored value, copying the value out of
// bbolt's memory map.
func decode(key string, raw []byte) (state.Entry, error) {
	if len(raw) < versionSize {
		return state.Entry{}, corrupt(key, raw)
	}
	value := make([]byte, len(raw)-versionSize)
	copy(value, raw[versionSize:])
	return state.Entry{Key: key, Value: value, Version: binary.BigEndian.Uint64(raw)}, nil
}

// revisionBytes encodes a revision for the meta bucket.
func revisionBytes(rev uint64) []byte { return binary.BigEndian.AppendUint64(nil, rev) }
