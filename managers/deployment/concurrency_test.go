package deployment

import (
	"context"
	"sync"
	"testing"

	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestConcurrentApplyNeverLosesAnUpdateNorReusesAVersion(t *testing.T) {
	const n = 10
	cases := []struct {
		name  string
		hosts int // managers sharing one store, like WFM hosts sharing state
	}{
		{"one host", 1},
		{"two hosts on one store", 2},
		{"ten hosts on one store", n},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			store := memory.New()
			hosts := make([]*Manager, c.hosts)
			for i := range hosts {
				hosts[i] = newManager(t, store, "")
			}
			base := fixture(t, "p1-helm.yaml")
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					_, errs[i] = hosts[i%c.hosts].Apply(ctx, clientA, withID(base, testID(i)))
				})
			}
			wg.Wait()
			for _, err := range errs {
				must(t, err)
			}
			v, err := hosts[0].Manifest(ctx, clientA)
			must(t, err)
			mf := manifestOf(t, v.Body)
			if v.Version != 1+n || len(mf.Deployments) != n {
				t.Fatalf("version %d with %d deployments, want %d and %d", v.Version, len(mf.Deployments), 1+n, n)
			}
			for i, ref := range mf.Deployments {
				if ref.DeploymentID != testID(i) || ref.Digest != document.DigestOf(withID(base, testID(i))) {
					t.Fatalf("deployments[%d] = %+v", i, ref)
				}
			}
		})
	}
}

func TestConcurrentManifestReadsAgreeOnVersionOne(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	a, b := newManager(t, store, ""), newManager(t, store, "")
	var wg sync.WaitGroup
	etags := make([]string, 20)
	for i := range etags {
		wg.Go(func() {
			m := a
			if i%2 == 1 {
				m = b
			}
			v, err := m.Manifest(ctx, clientA)
			if err == nil && v.Version == 1 {
				etags[i] = v.ETag
			}
		})
	}
	wg.Wait()
	for _, e := range etags {
		if e == "" || e != etags[0] {
			t.Fatalf("etags %v", etags)
		}
	}
}

func TestConcurrentRemoveAndApplyKeepVersionsDistinct(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	a, b := newManager(t, store, ""), newManager(t, store, "")
	base := fixture(t, "p1-helm.yaml")
	for i := range 5 {
		_, err := a.Apply(ctx, clientA, withID(base, testID(i)))
		must(t, err)
	}
	before := version(t, a, clientA)
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range 5 {
		wg.Go(func() { errs[i] = a.Remove(ctx, clientA, testID(i)) })
		wg.Go(func() { _, errs[5+i] = b.Apply(ctx, clientA, withID(base, testID(10+i))) })
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	v, err := a.Manifest(ctx, clientA)
	must(t, err)
	if mf := manifestOf(t, v.Body); v.Version != before+10 || len(mf.Deployments) != 5 {
		t.Fatalf("version %d (want %d), %d deployments", v.Version, before+10, len(mf.Deployments))
	}
}
