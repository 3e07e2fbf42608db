package basetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	pubsubmem "github.com/cadenza-edge/cadenza/providers/pubsub/memory"
)

// Events returns the uses ("events") of a manager publishing on a fresh
// memory bus, closed at cleanup, and the events of type E published on
// topic, decoded from JSON, in order.
func Events[E any](t testing.TB, topic string) (map[string]module.Module, <-chan E) {
	t.Helper()
	ctx := context.Background()
	bus := pubsubmem.New(pubsubmem.Config{})
	t.Cleanup(func() { bus.Close(ctx) })
	got := make(chan E, 10)
	sub, err := bus.Subscribe(ctx, topic, "test", func(_ context.Context, msg pubsub.Message) error {
		var ev E
		if err := json.Unmarshal(msg.Data, &ev); err != nil {
			return err
		}
		got <- ev
		return nil
	})
	Must(t, err)
	t.Cleanup(func() { sub.Close(ctx) })
	return map[string]module.Module{"events": bus}, got
}

// FailingEvents returns the uses ("events") of a manager whose every
// publication fails: a closed bus.
func FailingEvents(t testing.TB) map[string]module.Module {
	t.Helper()
	bus := pubsubmem.New(pubsubmem.Config{})
	Must(t, bus.Close(context.Background()))
	return map[string]module.Module{"events": bus}
}

// WantEvents fails unless got delivers want, in order, each within five
// seconds.
func WantEvents[E comparable](t testing.TB, got <-chan E, want ...E) {
	t.Helper()
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
