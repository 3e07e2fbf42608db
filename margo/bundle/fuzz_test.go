package bundle

import (
	"archive/tar"
	"bytes"
	"errors"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// FuzzBundleRead feeds arbitrary bytes, with their own digest so that the
// archive parser is exercised, and checks that Read never panics, reports
// only typed errors, and returns only safe entries within the limits.
func FuzzBundleRead(f *testing.F) {
	good, err := Write(sampleEntries(3))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(rawTar(f, reg("../evil.yaml")))
	f.Add(rawTar(f, &tar.Header{Typeflag: tar.TypeSymlink, Name: "a.yaml", Linkname: "/etc/passwd"}))
	f.Add([]byte{0x1f, 0x8b})
	limits := Limits{MaxEntries: 8, MaxBytes: 1 << 20, MaxFileBytes: 64 << 10}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Read(data, document.DigestOf(data), limits)
		if err != nil {
			if fault.CodeOf(err) != fault.BadRequest {
				t.Fatalf("untyped error %v", err)
			}
			for _, s := range []error{ErrEmpty, ErrDigestMismatch, ErrMalformed, ErrUnsafeEntry, ErrDuplicateEntry, ErrTooLarge} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error without a sentinel: %v", err)
		}
		if len(entries) == 0 || len(entries) > limits.MaxEntries {
			t.Fatalf("%d entries", len(entries))
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if unsafeName(e.Name) != "" || seen[e.Name] || int64(len(e.Data)) > limits.MaxFileBytes {
				t.Fatalf("unsafe entry %q (%d bytes)", e.Name, len(e.Data))
			}
			seen[e.Name] = true
		}
		// What Read accepts, Write can reproduce and Read accepts again.
		again, err := Write(entries)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Read(again, document.DigestOf(again), limits)
		if err != nil || len(back) != len(entries) {
			t.Fatalf("round trip: %v", err)
		}
		for i := range back {
			if !bytes.Equal(back[i].Data, findEntry(entries, back[i].Name)) {
				t.Fatalf("round trip changed %q", back[i].Name)
			}
		}
	})
}

func findEntry(es []Entry, name string) []byte {
	for _, e := range es {
		if e.Name == name {
			return e.Data
		}
	}
	return nil
}
