package capabilities

import (
	"context"
	"testing"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base/basetest"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestEventsPublishedAfterEachChange(t *testing.T) {
	ctx := context.Background()
	events, got := basetest.Events[fleet.CapabilitiesEvent](t, Topic)
	m := newManager(t, memory.New(), "", events)

	report(t, m, clientA, gateway, "gateway.json")
	report(t, m, clientA, gateway, "gateway.json")
	must(t, m.Remove(ctx, clientA, gateway))
	basetest.WantEvents(t, got,
		fleet.CapabilitiesEvent{ClientID: clientA, DeviceID: gateway, Kind: fleet.DeviceCreated, Revision: 1},
		fleet.CapabilitiesEvent{ClientID: clientA, DeviceID: gateway, Kind: fleet.DeviceUpdated, Revision: 2},
		fleet.CapabilitiesEvent{ClientID: clientA, DeviceID: gateway, Kind: fleet.DeviceRemoved},
	)
}

func TestPublishFailureDoesNotFailTheReport(t *testing.T) {
	m := newManager(t, memory.New(), "", basetest.FailingEvents(t))
	if !report(t, m, clientA, gateway, "gateway.json") {
		t.Fatal("not created")
	}
}
