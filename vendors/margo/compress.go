package margo

import (
	"bytes"
	"compress/gzip"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// gzipped returns body compressed with gzip. The artifact digest and the
// ETag stay those of body: Margo digests cover the decoded bytes.
func gzipped(body []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(body)/3 + 64)
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "gzip")
	}
	if _, err := zw.Write(body); err != nil {
		return nil, fault.Wrap(err, fault.Internal, "gzip")
	}
	if err := zw.Close(); err != nil {
		return nil, fault.Wrap(err, fault.Internal, "gzip")
	}
	return buf.Bytes(), nil
}
