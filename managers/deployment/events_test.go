package deployment

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base/basetest"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

// TestEventsPublishedAfterEachChange checks that each change publishes one
// event and a no-op Apply none. The end of the stream is proven without
// waiting: the memory bus hands a subscription its topic's messages in
// publish order and the manager publishes before its call returns, so a
// sentinel published after the last call must be the next event after the
// expected ones; any extra event would arrive before it.
func TestEventsPublishedAfterEachChange(t *testing.T) {
	ctx := context.Background()
	events, got := basetest.Events[fleet.DeploymentEvent](t, Topic)
	m := newManager(t, memory.New(), "", events)

	_, err := m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
	must(t, err)
	_, err = m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml")) // no change, no event
	must(t, err)
	st, raw := statusOf(t, helmID, document.StateInstalled, helmComponents...)
	must(t, m.ReportStatus(ctx, clientA, helmID, st, raw))
	must(t, m.Remove(ctx, clientA, helmID))
	publishSentinel(t, events)

	basetest.WantEvents(t, got,
		fleet.DeploymentEvent{ClientID: clientA, DeploymentID: helmID, ManifestVersion: 2, Kind: fleet.DeploymentApplied},
		fleet.DeploymentEvent{ClientID: clientA, DeploymentID: helmID, Kind: fleet.DeploymentStatus, State: document.StateInstalled},
		fleet.DeploymentEvent{ClientID: clientA, DeploymentID: helmID, ManifestVersion: 3, Kind: fleet.DeploymentRemoved},
		sentinel,
	)
}

// sentinel is the marker event a test publishes after its last action.
var sentinel = fleet.DeploymentEvent{Kind: "test-sentinel"}

// publishSentinel publishes sentinel on Topic of the bus in events.
func publishSentinel(t *testing.T, events map[string]module.Module) {
	t.Helper()
	bus, ok := events["events"].(pubsub.Bus)
	if !ok {
		t.Fatalf("events bus is %T, not a pubsub.Bus", events["events"])
	}
	data, err := json.Marshal(sentinel)
	must(t, err)
	_, err = bus.Publish(context.Background(), Topic, data, nil)
	must(t, err)
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
