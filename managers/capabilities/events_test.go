package capabilities

import (
	"context"
	"testing"

	"github.com/cadenza-edge/cadenza/managers/base/basetest"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestEventsPublishedAfterEachChange(t *testing.T) {
	ctx := context.Background()
	events, got := basetest.Events[event](t, Topic)
	m := newManager(t, memory.New(), "", events)

	report(t, m, clientA, gateway, "gateway.json")
	report(t, m, clientA, gateway, "gateway.json")
	must(t, m.Remove(ctx, clientA, gateway))
	basetest.WantEvents(t, got,
		event{ClientID: clientA, DeviceID: gateway, Kind: kindCreated, Revision: 1},
		event{ClientID: clientA, DeviceID: gateway, Kind: kindUpdated, Revision: 2},
		event{ClientID: clientA, DeviceID: gateway, Kind: kindRemoved},
	)
}

func TestPublishFailureDoesNotFailTheReport(t *testing.T) {
	m := newManager(t, memory.New(), "", basetest.FailingEvents(t))
	if !report(t, m, clientA, gateway, "gateway.json") {
		t.Fatal("not created")
	}
}
