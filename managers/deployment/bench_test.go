package deployment

import (
	"context"
	"testing"
)

// BenchmarkManifest is the device's polling path: one client's current
// manifest from a memory store, 10 deployments assigned.
func BenchmarkManifest(b *testing.B) {
	ctx := context.Background()
	m := newMemory(b, "")
	base := fixture(b, "p1-helm.yaml")
	for i := range 10 {
		if _, err := m.Apply(ctx, clientA, withID(base, testID(i))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Manifest(ctx, clientA); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApply changes one of 10 deployments of a client per iteration
// (new YAML, new bundle, new manifest), on a memory store.
func BenchmarkApply(b *testing.B) {
	ctx := context.Background()
	m := newMemory(b, "")
	base := fixture(b, "p1-helm.yaml")
	for i := range 10 {
		if _, err := m.Apply(ctx, clientA, withID(base, testID(i))); err != nil {
			b.Fatal(err)
		}
	}
	variants := [][]byte{fixture(b, "p1-helm.yaml"), fixture(b, "p1-helm-v2.yaml")}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := m.Apply(ctx, clientA, withID(variants[(n/10+1)%2], testID(n%10))); err != nil {
			b.Fatal(err)
		}
		n++
	}
}
