package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"

	"github.com/cadenza-edge/cadenza/margo/document"
)

// Read verifies and extracts a bundle. It first checks that sha256(data)
// equals wantDigest ("sha256:<64 lowercase hex>"), and parses nothing if not.
// It then reads the archive and rejects: absolute names, names with a ..
// segment or in a subdirectory, backslashes or NUL bytes; every entry that is
// not a regular file (directories, symbolic and hard links, devices, FIFOs,
// sparse files, global PAX headers); duplicate names; more than
// limits.MaxEntries files; a file larger than limits.MaxFileBytes; a
// decompressed stream larger than limits.MaxBytes (counted as bytes are read,
// so a gzip bomb costs at most that much); a gzip stream that is truncated,
// fails its checksum or is followed by garbage; and an archive without files.
// A leading "./" is dropped from names.
//
// Entries come back in archive order. Errors are *fault.Error with Code
// fault.BadRequest wrapping one of the package's sentinel errors. Read never
// panics on any input.
func Read(data []byte, wantDigest string, limits Limits) ([]Entry, error) {
	if !document.IsDigest(wantDigest) {
		return nil, readError(ErrDigestMismatch, "bundle: expected digest %q is not sha256:<64 lowercase hex>", wantDigest)
	}
	if got := document.DigestOf(data); got != wantDigest {
		return nil, readError(ErrDigestMismatch, "bundle: digest is %s, want %s", got, wantDigest)
	}
	limits = limits.withDefaults()

	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, readError(errors.Join(ErrMalformed, err), "bundle: not gzip")
	}
	stream := &io.LimitedReader{R: zr, N: limits.MaxBytes + 1}
	tr := tar.NewReader(stream)
	var entries []Entry
	var total int64 // sum of file sizes
	seen := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if stream.N <= 0 {
				return nil, readError(ErrTooLarge, "bundle: decompressed size exceeds %d bytes", limits.MaxBytes)
			}
			return nil, readError(errors.Join(ErrMalformed, err), "bundle: reading tar")
		}
		if hdr.Typeflag != tar.TypeReg || isSparse(hdr) {
			return nil, readError(ErrUnsafeEntry, "bundle: entry %q is not a regular file (type %q)", hdr.Name, hdr.Typeflag)
		}
		name := strings.TrimPrefix(hdr.Name, "./")
		if reason := unsafeName(name); reason != "" {
			return nil, readError(ErrUnsafeEntry, "bundle: entry %q: %s", hdr.Name, reason)
		}
		if seen[name] {
			return nil, readError(ErrDuplicateEntry, "bundle: entry %q appears twice", name)
		}
		seen[name] = true
		if len(entries) == limits.MaxEntries {
			return nil, readError(ErrTooLarge, "bundle: more than %d entries", limits.MaxEntries)
		}
		if hdr.Size < 0 || hdr.Size > limits.MaxFileBytes {
			return nil, readError(ErrTooLarge, "bundle: entry %q is %d bytes, limit %d", name, hdr.Size, limits.MaxFileBytes)
		}
		if total += hdr.Size; total > limits.MaxBytes || hdr.Size > stream.N {
			return nil, readError(ErrTooLarge, "bundle: decompressed size exceeds %d bytes", limits.MaxBytes)
		}
		body := make([]byte, hdr.Size)
		if _, err := io.ReadFull(tr, body); err != nil {
			if stream.N <= 0 {
				return nil, readError(ErrTooLarge, "bundle: decompressed size exceeds %d bytes", limits.MaxBytes)
			}
			return nil, readError(errors.Join(ErrMalformed, err), "bundle: reading %q", name)
		}
		entries = append(entries, Entry{Name: name, Data: body})
	}
	// Read what follows the end-of-archive marker (record padding, the gzip
	// trailer), so that a truncated or corrupted gzip stream, whose checksum
	// is only verified at its end, is reported.
	if _, err := io.Copy(io.Discard, stream); err != nil {
		return nil, readError(errors.Join(ErrMalformed, err), "bundle: reading gzip stream")
	}
	if stream.N <= 0 {
		return nil, readError(ErrTooLarge, "bundle: decompressed size exceeds %d bytes", limits.MaxBytes)
	}
	if len(entries) == 0 {
		return nil, readError(ErrEmpty, "bundle: archive holds no files")
	}
	return entries, nil
}

// isSparse reports whether hdr describes a PAX-format sparse file, which
// reads as a regular file but whose holes cost no archive bytes.
func isSparse(hdr *tar.Header) bool {
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// unsafeName returns why name cannot be a file at the archive root, or "".
func unsafeName(name string) string {
	switch {
	case name == "":
		return "empty name"
	case strings.HasPrefix(name, "/"):
		return "absolute path"
	case name == "." || name == ".." || strings.HasPrefix(name, "../") || strings.Contains(name, "/../") || strings.HasSuffix(name, "/.."):
		return "contains a .. segment"
	case strings.Contains(name, "/"):
		return "not at the archive root"
	case strings.ContainsAny(name, "\\\x00"):
		return "contains a backslash or NUL byte"
	}
	return ""
}
