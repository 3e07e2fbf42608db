package bundle

import (
	"testing"

	"github.com/cadenza-edge/cadenza/margo/document"
)

func BenchmarkBundleWrite(b *testing.B) {
	entries := sampleEntries(10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Write(entries); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBundleRead(b *testing.B) {
	data, err := Write(sampleEntries(10))
	if err != nil {
		b.Fatal(err)
	}
	digest := document.DigestOf(data)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Read(data, digest, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
