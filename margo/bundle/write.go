package bundle

import (
	"archive/tar"
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// gzipOSUnknown is the gzip header OS byte Write uses (255, "unknown"), so
// output does not depend on the platform.
const gzipOSUnknown = 255

// gzipWriters keeps gzip writers for reuse: a new one allocates about
// 800 KB of compressor state. Reset makes a reused writer equivalent to a
// new one (same level, fresh state), so the output does not depend on what
// the writer compressed before. A pooled writer still points to the buffer
// of its last Write until its next Reset.
var gzipWriters = sync.Pool{New: func() any {
	zw, err := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	if err != nil { // only for an invalid level
		panic(err)
	}
	return zw
}}

// Write builds a bundle from entries, deterministically: entries sorted by
// name; every header a regular file with mode 0644, mtime Unix 0, uid and gid
// 0, empty user and group names; USTAR format; a gzip header without name,
// comment or mtime and with a fixed OS byte; fixed compression level. Equal
// input gives byte-identical output (with the same Go version: compress/flate
// output may change between releases).
//
// It refuses an empty list (an empty archive is forbidden), duplicate names,
// and names that are not a plain file name at the root (see Read).
func Write(entries []Entry) ([]byte, error) {
	if len(entries) == 0 {
		return nil, writeError(ErrEmpty, "refusing to write an empty bundle")
	}
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b Entry) int { return cmp.Compare(a.Name, b.Name) })
	for i, e := range sorted {
		if reason := unsafeName(e.Name); reason != "" {
			return nil, writeError(ErrUnsafeEntry, "entry %q: %s", e.Name, reason)
		}
		if i > 0 && sorted[i-1].Name == e.Name {
			return nil, writeError(ErrDuplicateEntry, "entry %q appears twice", e.Name)
		}
	}

	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	var buf bytes.Buffer
	if err := write(zw, &buf, sorted); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// write writes the bundle of the sorted entries to buf through zw, which it
// resets first.
func write(zw *gzip.Writer, buf *bytes.Buffer, sorted []Entry) error {
	zw.Reset(buf)
	zw.Header = gzip.Header{OS: gzipOSUnknown}
	tw := tar.NewWriter(zw)
	for _, e := range sorted {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     e.Name,
			Size:     int64(len(e.Data)),
			Mode:     0o644,
			ModTime:  time.Unix(0, 0),
			Format:   tar.FormatUSTAR,
		}
		if len(e.Name) > 100 { // USTAR cannot hold it; PAX records are deterministic too
			hdr.Format = tar.FormatPAX
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fault.Wrap(err, fault.Internal, "bundle: header for %q", e.Name)
		}
		if _, err := tw.Write(e.Data); err != nil {
			return fault.Wrap(err, fault.Internal, "bundle: writing %q", e.Name)
		}
	}
	if err := tw.Close(); err != nil {
		return fault.Wrap(err, fault.Internal, "bundle: closing tar")
	}
	if err := zw.Close(); err != nil {
		return fault.Wrap(err, fault.Internal, "bundle: closing gzip")
	}
	return nil
}

// writeError returns the Internal error Write reports, wrapping sentinel:
// a bad entry list is a bug in the caller.
func writeError(sentinel error, format string, args ...any) error {
	return &fault.Error{Code: fault.Internal, Detail: fmt.Sprintf("bundle: "+format, args...), Cause: sentinel}
}
