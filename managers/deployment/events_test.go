package deployment

import (
	"context"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/managers/base/basetest"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestEventsPublishedAfterEachChange(t *testing.T) {
	ctx := context.Background()
	events, got := basetest.Events[event](t, Topic)
	m := newManager(t, memory.New(), "", events)

	_, err := m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
	must(t, err)
	_, err = m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml")) // no change, no event
	must(t, err)
	st, raw := statusOf(t, helmID, document.StateInstalled, helmComponents...)
	must(t, m.ReportStatus(ctx, clientA, helmID, st, raw))
	must(t, m.Remove(ctx, clientA, helmID))

	basetest.WantEvents(t, got,
		event{ClientID: clientA, DeploymentID: helmID, ManifestVersion: 2, Kind: kindApplied},
		event{ClientID: clientA, DeploymentID: helmID, Kind: kindStatus, State: document.StateInstalled},
		event{ClientID: clientA, DeploymentID: helmID, ManifestVersion: 3, Kind: kindRemoved},
	)
	select {
	case ev := <-got:
		t.Fatalf("unexpected event %+v", ev)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestPublishFailureDoesNotFailTheChange(t *testing.T) {
	m := newManager(t, memory.New(), "", basetest.FailingEvents(t)) // every Publish fails
	if _, err := m.Apply(context.Background(), clientA, fixture(t, "p1-helm.yaml")); err != nil {
		t.Fatalf("apply failed because publishing did: %v", err)
	}
	if v := version(t, m, clientA); v != 2 {
		t.Fatalf("version %d", v)
	}
}
