package sync

// Each part of the agent tested alone, over a memory store, without a WFM
// or a loop: the parts depend on each other only through small interfaces
// (the queue's reportSink) or plain values (the reconciler's target).

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/margo/client"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

// testBase is a base over a memory store with a fixed clock.
func testBase(t *testing.T, edit func(*Config)) *base {
	t.Helper()
	cfg := &Config{}
	cfg.Defaults()
	if edit != nil {
		edit(cfg)
	}
	met, err := newMetrics(nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return at }
	store, log, b := memory.New(), slog.New(slog.DiscardHandler), &board{}
	errs := &errorLog{store: store, log: log, clock: clock, history: cfg.ErrorHistory, board: b}
	return &base{cfg: cfg, store: store, log: log, met: met, clock: clock, errs: errs, board: b}
}

// sink is a reportSink that records deliveries; fail makes them fail.
type sink struct {
	open      bool
	fail      error
	delivered []string // deploymentId:state
	oks, errs int
}

func (s *sink) sender(time.Time) statusSender {
	if !s.open {
		return nil
	}
	return s
}
func (s *sink) ok()                                   { s.oks++ }
func (s *sink) failed(context.Context, string, error) { s.errs++ }
func (s *sink) ReportStatus(_ context.Context, id string, doc []byte) error {
	if s.fail != nil {
		return s.fail
	}
	st, err := document.ParseStatus(doc)
	if err != nil {
		return err
	}
	s.delivered = append(s.delivered, id+":"+string(st.Status.State))
	return nil
}

// queueRecord commits one state of a one-component deployment through q.
func queueRecord(t *testing.T, q *statusQueue, id string, st document.State) {
	t.Helper()
	rec := &deploymentRecord{ID: id, Name: "n-" + id[:4], Digest: "sha256:x", Components: []componentState{{Name: "web", State: st}}}
	rec.settle(nil, q.now())
	tx := &txn{}
	if err := tx.record(rec, q.now()); err != nil {
		t.Fatal(err)
	}
	if err := q.queueCommit(t, tx); err != nil {
		t.Fatal(err)
	}
}

func (q *statusQueue) queueCommit(t *testing.T, tx *txn) error {
	t.Helper()
	return q.commit(context.Background(), tx)
}

func TestStatusQueueKeepsReportsUntilTheyCanBeDelivered(t *testing.T) {
	ctx := context.Background()
	s := &sink{}
	q := &statusQueue{base: testBase(t, nil), sink: s}
	queueRecord(t, q, depA, document.StateInstalling)
	queueRecord(t, q, depA, document.StateInstalled)
	if q.met.depth.Load() != 2 || len(s.delivered) != 0 {
		t.Fatalf("depth %d delivered %v: nothing may be sent while the sink is closed", q.met.depth.Load(), s.delivered)
	}
	s.open, s.fail = true, &client.Error{Status: 503}
	q.flush(ctx)
	if q.met.depth.Load() != 2 || s.errs != 1 {
		t.Fatalf("depth %d failures %d: a 503 keeps the reports and backs off", q.met.depth.Load(), s.errs)
	}
	// A restarted queue finds them, in order.
	again := &statusQueue{base: q.base, sink: s}
	if err := again.load(ctx); err != nil {
		t.Fatal(err)
	}
	s.fail = nil
	again.flush(ctx)
	if want := []string{depA + ":installing", depA + ":installed"}; !slices.Equal(s.delivered, want) || again.met.depth.Load() != 0 || again.next != 2 {
		t.Fatalf("delivered %v depth %d next %d, want %v", s.delivered, again.met.depth.Load(), again.next, want)
	}
}

func TestStatusQueueDropsSupersededReportsFirstWhenFull(t *testing.T) {
	q := &statusQueue{base: testBase(t, func(c *Config) { c.StatusQueueMax = 10 }), sink: &sink{}}
	queueRecord(t, q, depB, document.StateInstalled) // the oldest, never superseded
	for i := 0; i < 8; i++ {
		queueRecord(t, q, depA, document.StateInstalling) // each superseded by the next
	}
	queueRecord(t, q, depC, document.StateInstalled)
	queueRecord(t, q, depA, document.StateInstalled) // the 11th: one must go
	entries, err := listAll(context.Background(), q.store, prefixQueue)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 10 || q.met.depth.Load() != 10 {
		t.Fatalf("%d queued (depth %d), want 10", len(entries), q.met.depth.Load())
	}
	s := q.sink.(*sink)
	s.open = true
	q.flush(context.Background())
	want := []string{depB + ":installed"}
	for i := 0; i < 7; i++ {
		want = append(want, depA+":installing")
	}
	want = append(want, depC+":installed", depA+":installed")
	if !slices.Equal(s.delivered, want) {
		t.Fatalf("delivered %v\nwant %v: the dropped report must be depA's oldest superseded one", s.delivered, want)
	}
}

func TestStatusQueueDropsWhatTheWFMRejectsForGood(t *testing.T) {
	s := &sink{open: true, fail: &client.Error{Status: 404}}
	q := &statusQueue{base: testBase(t, nil), sink: s}
	queueRecord(t, q, depA, document.StateInstalled)
	if q.met.depth.Load() != 0 || s.errs != 0 {
		t.Fatalf("depth %d failures %d: a 404 is dropped, not retried", q.met.depth.Load(), s.errs)
	}
	if errs, _ := q.errs.list(context.Background(), 10); len(errs) != 1 || errs[0].Code != "404" {
		t.Fatalf("errors %+v", errs)
	}
}

func TestErrorLogKeepsTheLastErrorHistory(t *testing.T) {
	ctx := context.Background()
	b := testBase(t, func(c *Config) { c.ErrorHistory = 3 })
	for i := 0; i < 5; i++ {
		b.errs.record(ctx, ErrorRecord{Kind: "poll", Message: fmt.Sprint("error ", i)})
	}
	got, err := b.errs.list(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Message != "error 4" || got[2].Message != "error 2" || got[0].Seq != 4 {
		t.Fatalf("errors %+v", got)
	}
	if b.board.read().LastError != "error 4" {
		t.Fatalf("board %+v", b.board.read())
	}
	restarted := &errorLog{store: b.store, log: b.log, clock: b.clock, history: 3, board: &board{}}
	if err := restarted.load(ctx); err != nil || restarted.next != 5 {
		t.Fatalf("next %d, %v", restarted.next, err)
	}
}

// The reconciler installs and removes through the providers from a target
// and the stored YAMLs alone.
func TestReconcilerConvergesWithoutAWFM(t *testing.T) {
	ctx := context.Background()
	b := testBase(t, func(c *Config) { c.ApplyTimeout = config.Duration(time.Minute) })
	helm, compose := newFakeProvider("helm.v3"), newFakeProvider("compose")
	rc := &reconciler{base: b, queue: &statusQueue{base: b, sink: &sink{}}, runtimes: newRuntimes([]workload.Provider{helm, compose}), tried: map[string]bool{}}
	yamlA, yamlB := deployment(depA, "helm.v3", "1.0.0", "x", "db", "api"), deployment(depB, "compose", "1", "x", "web")
	for id, y := range map[string][]byte{depA: yamlA, depB: yamlB} {
		if _, err := b.store.Put(ctx, yamlKey(id), y, state.Always()); err != nil {
			t.Fatal(err)
		}
	}
	tgt := target{Version: 2, Deployments: []targetRef{{ID: depA, Digest: document.DigestOf(yamlA)}, {ID: depB, Digest: document.DigestOf(yamlB)}}}
	rc.reconcile(ctx, tgt)
	rc.reconcile(ctx, tgt)
	if !slices.Equal(helm.installedNames(), []string{"api", "db"}) || !slices.Equal(compose.installedNames(), []string{"web"}) || rc.reconciled != 2 {
		t.Fatalf("helm %v compose %v reconciled %d", helm.installedNames(), compose.installedNames(), rc.reconciled)
	}
	tgt = target{Version: 3, Deployments: tgt.Deployments[1:]}
	rc.reconcile(ctx, tgt)
	rc.reconcile(ctx, tgt)
	if !slices.Equal(helm.removedNames(), []string{"api", "db"}) || len(helm.installedNames()) != 0 || rc.reconciled != 3 {
		t.Fatalf("removed %v installed %v reconciled %d", helm.removedNames(), helm.installedNames(), rc.reconciled)
	}
	recs, err := rc.records(ctx)
	if err != nil || recs[depA].State != document.StateRemoved || recs[depB].State != document.StateInstalled {
		t.Fatalf("records %v: %+v", err, recs)
	}
	if rc.queue.met.depth.Load() == 0 {
		t.Fatal("no status report was queued")
	}
}

// The link backs off after a failure, honours a longer Retry-After, and
// starts over after a success.
func TestLinkBackoffAndRetryAfter(t *testing.T) {
	b := testBase(t, func(c *Config) {
		c.PollInterval, c.BackoffMax = config.Duration(time.Second), config.Duration(time.Minute)
	})
	l := newLink(b, schedule{})
	now := b.now()
	if !l.mayTalk(now) || l.ready(now) {
		t.Fatal("a new link may talk but is not ready (no client)")
	}
	l.failed(context.Background(), "poll", fault.New(fault.Unavailable, "down"))
	if l.mayTalk(now) || l.retryAt.Sub(now) > 2*time.Second {
		t.Fatalf("retryAt %v after one failure", l.retryAt.Sub(now))
	}
	l.failed(context.Background(), "poll", &client.Error{Status: 429, RetryAfter: 30 * time.Second})
	if got := l.retryAt.Sub(now); got != 30*time.Second {
		t.Fatalf("retryAt %v, want the WFM's Retry-After of 30s", got)
	}
	l.ok()
	if !l.mayTalk(now) {
		t.Fatal("a success does not clear the backoff")
	}
	if errs, _ := b.errs.list(context.Background(), 10); len(errs) != 2 || errs[0].Code != "429" {
		t.Fatalf("errors %+v", errs)
	}
}
