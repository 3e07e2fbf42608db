package capabilities

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/bolt"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestConcurrentReportsCreateOnceAndCountEveryReport(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	hosts := []*Manager{newManager(t, store, ""), newManager(t, store, "")}
	const n = 10
	var created atomic.Int32
	errs := make([]error, n)
	docs := make([]*document.DeviceCapabilitiesManifest, n)
	raws := make([][]byte, n)
	for i := range n {
		docs[i], raws[i] = doc(t, "device.json", "59 Gi", fmt.Sprintf("%d Gi", i))
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, err := hosts[i%2].Report(ctx, clientA, deviceID, docs[i], raws[i])
			if c {
				created.Add(1)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	d, err := hosts[0].Device(ctx, clientA, deviceID)
	must(t, err)
	h, err := hosts[0].History(ctx, clientA, deviceID, 0)
	must(t, err)
	if created.Load() != 1 || d.Revision != n || len(h) != n {
		t.Fatalf("created %d times, revision %d, %d history entries; want 1, %d, %d", created.Load(), d.Revision, len(h), n, n)
	}
}

func TestDevicesSurviveRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wfm.db")
	store, err := bolt.Open(path, bolt.Options{NoSync: true})
	must(t, err)
	m := newManager(t, store, "")
	report(t, m, clientA, gateway, "gateway.json")
	report(t, m, clientA, child, "child.json")
	must(t, store.Close(ctx))

	store, err = bolt.Open(path, bolt.Options{NoSync: true})
	must(t, err)
	t.Cleanup(func() { store.Close(ctx) })
	m = newManager(t, store, "")
	if report(t, m, clientA, child, "child.json") {
		t.Fatal("child created again after restart")
	}
	d, err := m.Device(ctx, clientA, child)
	must(t, err)
	if d.Revision != 2 {
		t.Fatalf("revision %d after restart, want 2", d.Revision)
	}
}
