package capabilities

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	pubsubmem "github.com/cadenza-edge/cadenza/providers/pubsub/memory"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestEventsPublishedAfterEachChange(t *testing.T) {
	ctx := context.Background()
	bus := pubsubmem.New(pubsubmem.Config{})
	t.Cleanup(func() { bus.Close(ctx) })
	got := make(chan event, 10)
	sub, err := bus.Subscribe(ctx, Topic, "test", func(_ context.Context, msg pubsub.Message) error {
		var ev event
		if err := json.Unmarshal(msg.Data, &ev); err != nil {
			return err
		}
		got <- ev
		return nil
	})
	must(t, err)
	t.Cleanup(func() { sub.Close(ctx) })
	m := newManager(t, memory.New(), "", map[string]module.Module{"events": bus})

	report(t, m, clientA, gateway, "gateway.json")
	report(t, m, clientA, gateway, "gateway.json")
	must(t, m.Remove(ctx, clientA, gateway))
	want := []event{
		{ClientID: clientA, DeviceID: gateway, Kind: kindCreated, Revision: 1},
		{ClientID: clientA, DeviceID: gateway, Kind: kindUpdated, Revision: 2},
		{ClientID: clientA, DeviceID: gateway, Kind: kindRemoved},
	}
	for i, w := range want {
		select {
		case ev := <-got:
			if ev != w {
				t.Fatalf("event %d = %+v, want %+v", i, ev, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d never arrived", i)
		}
	}
}

func TestPublishFailureDoesNotFailTheReport(t *testing.T) {
	ctx := context.Background()
	bus := pubsubmem.New(pubsubmem.Config{})
	must(t, bus.Close(ctx))
	m := newManager(t, memory.New(), "", map[string]module.Module{"events": bus})
	if !report(t, m, clientA, gateway, "gateway.json") {
		t.Fatal("not created")
	}
}
