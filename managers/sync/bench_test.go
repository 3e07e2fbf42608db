package sync

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/providers/state/bolt"
)

// BenchmarkIdleStep50 is the agent's steady-state cost: one loop step with
// 50 installed deployments, on a bolt store, against a WFM answering 304
// (a signed TLS poll, a capabilities discovery, a reconcile pass that
// finds nothing to do). Idle CPU is ns/op divided by the poll interval
// (15s by default). heap-B is the live heap after setup, the fake WFM and
// the test harness included.
func BenchmarkIdleStep50(b *testing.B) {
	w := newFakeWFM(b)
	store, err := bolt.Open(filepath.Join(b.TempDir(), "state.bolt"), bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close(context.Background()) })
	a := newAgent(b, w, agentOpts{store: store, workload: newFakeProvider(), config: func(c *Config) {
		c.PollInterval = config.Duration(15 * time.Second)
		c.BackoffMax = config.Duration(time.Minute)
	}})
	var yamls [][]byte
	for i := range 50 {
		yamls = append(yamls, deployment(fmt.Sprintf("%08x-1c2b-4d6e-8f90-1a2b3c4d5e6f", i), "", "1.0.0", "x", "db", "api"))
	}
	w.assign(yamls...)
	a.pollNow(b)
	a.pollNow(b)
	if st, _ := a.Status(context.Background()); st.ReconciledVersion != 2 || st.StatusQueueDepth != 0 {
		b.Fatalf("setup: %+v", st)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		a.poller.nextPoll, a.caps.at = time.Time{}, time.Time{}
		a.step(ctx)
	}
	b.StopTimer()
	b.ReportMetric(float64(ms.HeapAlloc), "heap-B")
	if got := a.counter(b, "cadenza.agent.polls", "result", "not-modified"); got < int64(b.N) {
		b.Fatalf("not-modified polls %d < %d", got, b.N)
	}
}
