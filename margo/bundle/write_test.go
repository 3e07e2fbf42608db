package bundle

import (
	"bytes"
	"compress/gzip"
	"slices"
	"testing"
)

// TestWriteWithReusedWriter: Write through a pooled gzip writer that
// compressed something else before (left mid-stream, with another header)
// gives the bytes a fresh writer gives.
func TestWriteWithReusedWriter(t *testing.T) {
	entries := sampleEntries(10)
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b Entry) int { return bytes.Compare([]byte(a.Name), []byte(b.Name)) })
	fresh, err := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := write(fresh, &want, sorted); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		dirty := gzipWriters.Get().(*gzip.Writer)
		var junk bytes.Buffer
		dirty.Reset(&junk)
		dirty.Header.Name = "dirty"
		if _, err := dirty.Write(bytes.Repeat([]byte("junk "), 1000)); err != nil {
			t.Fatal(err)
		}
		gzipWriters.Put(dirty)
		got, err := Write(entries)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatal("a reused writer changed the output")
		}
	}
}
