// Package bundle reads and writes the Margo deployment bundle: a gzip
// compressed tar whose root holds one ApplicationDeployment YAML file per
// deployment (media type application/vnd.margo.bundle.v1+tar+gzip).
//
// Write is deterministic, so equal input gives byte-identical archives (and
// equal digests) within one build of the program. Read verifies the digest
// of the bytes before it parses anything, then extracts defensively: only
// regular files at the archive root, bounded in number and size.
package bundle

import (
	"errors"
	"fmt"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// Entry is one file of a bundle.
type Entry struct {
	// Name is the file name at the archive root. Cadenza writes
	// <deploymentId>.yaml (see EntryName); readers must not rely on names,
	// which the spec leaves free, but match entries to deployments by digest.
	Name string
	// Data is the exact YAML bytes.
	Data []byte
}

// EntryName returns the name Cadenza gives the YAML of a deployment.
func EntryName(deploymentID string) string { return deploymentID + ".yaml" }

// Limits bound what Read accepts. A zero field means its default.
type Limits struct {
	MaxEntries   int   // files in the archive; default 1000
	MaxBytes     int64 // decompressed tar stream, headers included; default 64 MiB
	MaxFileBytes int64 // one file; default 4 MiB
}

// Defaults for Limits.
const (
	DefaultMaxEntries   = 1000
	DefaultMaxBytes     = 64 << 20
	DefaultMaxFileBytes = 4 << 20
)

// withDefaults returns l with zero (or negative) fields set to the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	return l
}

// Sentinel causes. Every error from Read and Write is a *fault.Error (Code
// fault.BadRequest from Read, fault.Internal from Write) whose cause chain
// holds one of these, so callers can tell them apart with errors.Is.
var (
	// ErrEmpty: a bundle must hold at least one file.
	ErrEmpty = errors.New("bundle: no entries")
	// ErrDigestMismatch: the bytes do not hash to the expected digest (or the
	// expected digest is malformed). Nothing was parsed.
	ErrDigestMismatch = errors.New("bundle: digest mismatch")
	// ErrMalformed: the bytes are not a readable tar.gz.
	ErrMalformed = errors.New("bundle: malformed archive")
	// ErrUnsafeEntry: an entry is not a regular file at the archive root
	// (absolute path, .. segment, subdirectory, directory, link, device ...).
	ErrUnsafeEntry = errors.New("bundle: unsafe entry")
	// ErrDuplicateEntry: two entries have the same name.
	ErrDuplicateEntry = errors.New("bundle: duplicate entry")
	// ErrTooLarge: a limit was exceeded.
	ErrTooLarge = errors.New("bundle: limit exceeded")
)

// readError returns the BadRequest error Read reports, wrapping sentinel.
func readError(sentinel error, format string, args ...any) error {
	return &fault.Error{
		Code:   fault.BadRequest,
		Detail: fmt.Sprintf(format, args...),
		Cause:  sentinel,
	}
}
