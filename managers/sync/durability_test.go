package sync

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestStatusReportsQueueWhileTheWFMRefusesAndArriveInOrder(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider()
	store, dir := memory.New(), t.TempDir()
	a := newAgent(t, w, agentOpts{workload: p, store: store, dir: dir})
	w.assign(deployment(depA, "", "1.0.0", "x", "db", "api"))
	w.set(func(w *fakeWFM) { w.statusCode, w.retryAfter = 503, 2 })
	before := time.Now()
	a.pollNow(t)
	if got := p.appliedNames(); !slices.Equal(got, []string{"db", "api"}) {
		t.Fatalf("the workloads were not installed while reports could not be delivered: %v", got)
	}
	st, _ := a.Status(context.Background())
	if st.StatusQueueDepth != 4 || len(w.reports()) != 0 {
		t.Fatalf("queue depth %d, delivered %d", st.StatusQueueDepth, len(w.reports()))
	}
	if a.link.retryAt.Sub(before) < 2*time.Second {
		t.Fatalf("Retry-After 2s not honoured: next try in %s", a.link.retryAt.Sub(before))
	}
	if got := a.counter(t, "cadenza.agent.status_queue_depth", "", ""); got != 4 {
		t.Fatalf("status_queue_depth gauge %d", got)
	}

	// The agent restarts with the queue still undelivered, then the WFM is back.
	b := newAgent(t, w, agentOpts{workload: p, store: store, dir: dir})
	w.set(func(w *fakeWFM) { w.statusCode, w.retryAfter = 0, 0 })
	b.pollNow(t)
	if got := states(w.reports(), depA); !slices.Equal(got, []string{"pending", "installing", "installing", "installed"}) {
		t.Fatalf("delivered %v, want every report in order", got)
	}
	if st, _ := b.Status(context.Background()); st.StatusQueueDepth != 0 {
		t.Fatalf("queue depth after delivery %d", st.StatusQueueDepth)
	}
	if len(p.appliedNames()) != 2 {
		t.Fatalf("the restart applied again: %v", p.appliedNames())
	}
}

func TestWFMDownKeepsWorkloadsAndBacksOff(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider()
	a := newAgent(t, w, agentOpts{workload: p})
	w.assign(deployment(depA, "", "1.0.0", "x", "db"))
	a.pollNow(t)
	w.set(func(w *fakeWFM) { w.downCode = 503 })
	var delays []time.Duration
	for range 4 {
		before := a.now()
		a.pollNow(t)
		delays = append(delays, a.link.retryAt.Sub(before))
	}
	if !slices.Equal(p.installedNames(), []string{"db"}) || len(p.removedNames()) != 0 {
		t.Fatalf("workloads changed while the WFM was down: installed %v removed %v", p.installedNames(), p.removedNames())
	}
	if delays[3] < delays[0] || delays[0] <= 0 || delays[3] > a.cfg.BackoffMax.D()*3/2 {
		t.Fatalf("backoff delays %v: want growing, capped near %s", delays, a.cfg.BackoffMax)
	}
	if got := a.counter(t, "cadenza.agent.polls", "result", "error"); got != 4 {
		t.Fatalf("polls{error} = %d", got)
	}
	w.set(func(w *fakeWFM) { w.downCode = 0 })
	a.pollNow(t)
	if st, _ := a.Status(context.Background()); st.LastPollResult != "not-modified" || !a.link.retryAt.IsZero() {
		t.Fatalf("after recovery %+v, retryAt %v", st, a.link.retryAt)
	}
}

func TestReportTheWFMRejectsIsDroppedNotBlocking(t *testing.T) {
	w := newFakeWFM(t)
	a := newAgent(t, w, agentOpts{workload: newFakeProvider()})
	w.assign(deployment(depA, "", "1.0.0", "x", "db"))
	w.set(func(w *fakeWFM) { w.statusCode = 404 })
	a.pollNow(t)
	st, _ := a.Status(context.Background())
	if st.StatusQueueDepth != 0 || a.counter(t, "cadenza.agent.status_reports", "result", "rejected") != 3 {
		t.Fatalf("queue depth %d, rejected %d", st.StatusQueueDepth, a.counter(t, "cadenza.agent.status_reports", "result", "rejected"))
	}
}

func TestFullQueueDropsSupersededReportsFirst(t *testing.T) {
	w := newFakeWFM(t)
	a := newAgent(t, w, agentOpts{workload: newFakeProvider(), config: func(c *Config) { c.StatusQueueMax = 10 }})
	w.set(func(w *fakeWFM) { w.statusCode = 503 })
	w.assign(deployment(depA, "", "1.0.0", "x", "a1", "a2", "a3", "a4"), deployment(depB, "", "1.0.0", "x", "b1", "b2", "b3", "b4"))
	a.pollNow(t) // 2 x (pending, installing, 3 x installing, installed) = 12 reports
	if d := a.met.depth.Load(); d != 10 {
		t.Fatalf("queue depth %d, want the bound 10", d)
	}
	w.set(func(w *fakeWFM) { w.statusCode = 0 })
	a.pollNow(t)
	got := w.reports()
	if len(got) != 10 || lastReport(t, got, depA).Status.State != "installed" || lastReport(t, got, depB).Status.State != "installed" {
		t.Fatalf("delivered %d reports; the latest of each deployment must survive: A %v B %v", len(got), states(got, depA), states(got, depB))
	}
}

func TestStopDuringApplyThenRestartInstallsNothingTwice(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider()
	gate := make(chan struct{})
	p.block["api"] = gate
	store, dir := memory.New(), t.TempDir()
	a := newAgent(t, w, agentOpts{workload: p, store: store, dir: dir})
	w.assign(deployment(depA, "", "1.0.0", "x", "db", "api", "web"))
	ctx := context.Background()
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitEntered(t, p, "api")
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := a.Close(cctx); err != nil {
		t.Fatalf("close while a provider blocks: %v", err)
	}
	if got := p.appliedNames(); !slices.Equal(got, []string{"db"}) {
		t.Fatalf("applies before the stop %v", got)
	}
	p.set(func(p *fakeProvider) { delete(p.block, "api") })
	b := newAgent(t, w, agentOpts{workload: p, store: store, dir: dir})
	b.pollNow(t)
	if got := p.appliedNames(); !slices.Equal(got, []string{"db", "api", "web"}) {
		t.Fatalf("applies after the restart %v: each component exactly once", got)
	}
	got := states(w.reports(), depA)
	if got[0] != "pending" || got[len(got)-1] != "installed" || slices.Contains(got, "failed") {
		t.Fatalf("reports %v", got)
	}
}

func waitEntered(t *testing.T, p *fakeProvider, name string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case n := <-p.entered:
			if n == name {
				return
			}
		case <-timeout:
			t.Fatalf("component %s never reached the provider", name)
		}
	}
}

func TestPollingHoursAndDowntime(t *testing.T) {
	monday2330 := time.Date(2026, 1, 5, 23, 30, 0, 0, time.Local)
	cases := []struct {
		name     string
		cfg      func(*Config)
		polls    bool
		reports  bool
		inWindow string
	}{
		{"OutsidePollingHoursNoPoll", func(c *Config) { c.PollingHours = []Window{{From: "06:00", To: "22:00"}} }, false, true, "skipped: outside polling hours"},
		{"InsidePollingHoursAcrossMidnight", func(c *Config) { c.PollingHours = []Window{{From: "22:00", To: "02:00"}} }, true, true, "accepted"},
		{"DowntimeNoCommunication", func(c *Config) { c.Downtime = []Window{{From: "23:00", To: "24:00", Days: []string{"mon"}}} }, false, false, "skipped: downtime"},
		{"DowntimeOtherDay", func(c *Config) { c.Downtime = []Window{{From: "23:00", To: "24:00", Days: []string{"sat", "sunday"}}} }, true, true, "accepted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newFakeWFM(t)
			p := newFakeProvider()
			setup := newAgent(t, w, agentOpts{workload: p}) // onboard first, outside any window
			setup.pollNow(t)
			a := newAgent(t, w, agentOpts{workload: p, store: setup.store, dir: setup.cfg.Identity.Dir, config: tc.cfg})
			a.now = func() time.Time { return monday2330 }
			w.assign(deployment(depA, "", "1.0.0", "x", "db"))
			before := w.count("manifest")
			a.pollNow(t)
			if polled := w.count("manifest") > before; polled != tc.polls {
				t.Fatalf("polled %v, want %v", polled, tc.polls)
			}
			if st, _ := a.Status(context.Background()); st.LastPollResult != tc.inWindow {
				t.Fatalf("last poll result %q, want %q", st.LastPollResult, tc.inWindow)
			}
		})
	}
	t.Run("CommunicationErrorsIgnoredInDowntime", func(t *testing.T) {
		w := newFakeWFM(t)
		a := newAgent(t, w, agentOpts{workload: newFakeProvider()})
		a.pollNow(t)
		w.set(func(w *fakeWFM) { w.downCode = 503 })
		a.cfg.Downtime = []Window{{From: "00:00", To: "24:00"}}
		if err := a.cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		a.sched = schedule{downtime: a.cfg.Downtime}
		a.pollNow(t)
		errs, _ := a.Errors(context.Background(), 10)
		if len(errs) != 0 || !a.link.retryAt.IsZero() {
			t.Fatalf("errors %+v, retryAt %v", errs, a.link.retryAt)
		}
	})
}
