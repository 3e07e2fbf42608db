package workloadtest

import (
	"context"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/workload"
)

// BenchApply measures one reconcile of an installed component: an Apply
// that finds nothing to change followed by a Status, the work the agent
// does for every component on every poll. c is installed before the timer
// starts and removed in b.Cleanup.
func BenchApply(b *testing.B, p workload.Provider, c workload.Component) {
	ctx := b.Context()
	benchCleanup(b, p, c)
	if _, err := p.Apply(ctx, c, nil); err != nil {
		b.Fatalf("Apply(%s): %v", describe(c), err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if s, err := p.Apply(ctx, c, nil); err != nil || s.Phase != workload.Installed {
			b.Fatalf("Apply(%s) = phase %q, %v; want installed", describe(c), s.Phase, err)
		}
		if s, err := p.Status(ctx, c); err != nil || s.Phase != workload.Installed {
			b.Fatalf("Status(%s) = phase %q, %v; want installed", describe(c), s.Phase, err)
		}
	}
}

// BenchInstallRemove measures a full cycle: Apply of an absent component,
// then Remove.
func BenchInstallRemove(b *testing.B, p workload.Provider, c workload.Component) {
	ctx := b.Context()
	benchCleanup(b, p, c)
	b.ReportAllocs()
	for b.Loop() {
		if s, err := p.Apply(ctx, c, nil); err != nil || s.Phase != workload.Installed {
			b.Fatalf("Apply(%s) = phase %q, %v; want installed", describe(c), s.Phase, err)
		}
		if err := p.Remove(ctx, c, nil); err != nil {
			b.Fatalf("Remove(%s): %v", describe(c), err)
		}
	}
}

func benchCleanup(b *testing.B, p workload.Provider, c workload.Component) {
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
		defer cancel()
		if err := p.Remove(ctx, c, nil); err != nil {
			b.Errorf("cleanup: Remove(%s): %v", describe(c), err)
		}
	})
}
