package rollout

import (
	"context"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	pubsubmem "github.com/cadenza-edge/cadenza/providers/pubsub/memory"
)

func TestFollowsRelabelledDevicesAndCompletesDeletions(t *testing.T) {
	ctx := context.Background()
	bus := pubsubmem.New(pubsubmem.Config{})
	e := newEnvWith(t, `{"followDelay": "1ms"}`, bus)
	e.m.followed = make(chan struct{}, 100)
	fleetOfThree(t, e)
	e.createMon(t)
	must(t, e.m.Start(ctx))
	t.Cleanup(func() { _ = e.m.Close(ctx) })

	// Relabelling c4 into plant-1 is followed by a pass that places it.
	e.label(t, "c4", "other", map[string]any{"site": "plant-1"})
	for p := (fleet.Placement{}); p.DeploymentID == ""; {
		nextPass(t, e.m)
		ps, _, err := e.m.Placements(ctx, "mon", fleet.Page{})
		must(t, err)
		for _, q := range ps {
			if q.ClientID == "c4" {
				p = q
			}
		}
	}

	// Delete; the last removed report is followed by a pass that drops it.
	ps, _, err := e.m.Placements(ctx, "mon", fleet.Page{})
	must(t, err)
	if _, err := e.m.Delete(ctx, "mon", false); err != nil {
		t.Fatal(err)
	}
	e.reportRemoved(t, ps)
	for {
		nextPass(t, e.m)
		if _, err := e.m.Rollout(ctx, "mon"); fault.Is(err, fault.NotFound) {
			return
		}
	}
}

// nextPass waits for the next follow pass; a pass that never comes fails
// the test instead of hanging it.
func nextPass(t *testing.T, m *Manager) {
	t.Helper()
	select {
	case <-m.followed:
	case <-time.After(time.Minute):
		t.Fatal("no follow pass within a minute")
	}
}
