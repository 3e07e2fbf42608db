package statetest

import (
	"fmt"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/state"
)

// benchKeys is the working set of the benchmarks.
const benchKeys = 1000

// BenchValueSize is the value size the benchmarks write.
const BenchValueSize = 256

func benchKeySet() []string {
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = fmt.Sprintf("bench/%06d", i)
	}
	return keys
}

// preload writes the benchmark key set with BenchValueSize-byte values.
func preload(b *testing.B, s state.Store) []string {
	b.Helper()
	keys := benchKeySet()
	value := make([]byte, BenchValueSize)
	ops := make([]state.Op, len(keys))
	for i, k := range keys {
		ops[i] = state.Op{Key: k, Value: value}
	}
	if _, err := s.Batch(b.Context(), ops); err != nil {
		b.Fatal(err)
	}
	return keys
}

// BenchPut measures unconditional puts of BenchValueSize-byte values over a
// working set of 1000 keys.
func BenchPut(b *testing.B, s state.Store) {
	keys := benchKeySet()
	value := make([]byte, BenchValueSize)
	ctx := b.Context()
	b.SetBytes(BenchValueSize)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Put(ctx, keys[i%benchKeys], value, state.Always()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchGet measures gets of BenchValueSize-byte values.
func BenchGet(b *testing.B, s state.Store) {
	keys := preload(b, s)
	ctx := b.Context()
	b.SetBytes(BenchValueSize)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Get(ctx, keys[i%benchKeys]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchGetParallel measures gets from GOMAXPROCS goroutines.
func BenchGetParallel(b *testing.B, s state.Store) {
	keys := preload(b, s)
	ctx := b.Context()
	b.SetBytes(BenchValueSize)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if _, err := s.Get(ctx, keys[i%benchKeys]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchList100 measures listing pages of 100 entries out of 1000.
func BenchList100(b *testing.B, s state.Store) {
	keys := preload(b, s)
	ctx := b.Context()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		after := keys[(i*100)%(benchKeys-100)]
		p, err := s.List(ctx, "bench/", state.ListOptions{After: after, Limit: 100})
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Entries) != 100 {
			b.Fatalf("List returned %d entries, want 100", len(p.Entries))
		}
	}
}
