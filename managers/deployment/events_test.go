package deployment

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/margo/document"
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

	_, err = m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
	must(t, err)
	_, err = m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml")) // no change, no event
	must(t, err)
	st, raw := statusOf(t, helmID, document.StateInstalled, helmComponents...)
	must(t, m.ReportStatus(ctx, clientA, helmID, st, raw))
	must(t, m.Remove(ctx, clientA, helmID))

	want := []event{
		{ClientID: clientA, DeploymentID: helmID, ManifestVersion: 2, Kind: kindApplied},
		{ClientID: clientA, DeploymentID: helmID, Kind: kindStatus, State: document.StateInstalled},
		{ClientID: clientA, DeploymentID: helmID, ManifestVersion: 3, Kind: kindRemoved},
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
	select {
	case ev := <-got:
		t.Fatalf("unexpected event %+v", ev)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestPublishFailureDoesNotFailTheChange(t *testing.T) {
	ctx := context.Background()
	bus := pubsubmem.New(pubsubmem.Config{})
	must(t, bus.Close(ctx)) // every Publish now fails
	m := newManager(t, memory.New(), "", map[string]module.Module{"events": bus})
	if _, err := m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml")); err != nil {
		t.Fatalf("apply failed because publishing did: %v", err)
	}
	if v := version(t, m, clientA); v != 2 {
		t.Fatalf("version %d", v)
	}
}
