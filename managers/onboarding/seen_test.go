package onboarding

import (
	"context"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestSeenOnlyMovesForward(t *testing.T) {
	ctx := context.Background()
	m := newManager(t, memory.New(), "")
	c, err := m.Onboard(ctx, newIssuer(t).issue(t, certSpec{}))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	if err := m.Seen(ctx, c.ID, at); err != nil {
		t.Fatal(err)
	}
	if err := m.Seen(ctx, c.ID, at.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := m.Client(ctx, c.ID)
	if err != nil || !got.LastSeen.Equal(at) || got.State != c.State || got.KeyID != c.KeyID {
		t.Fatalf("client after Seen: %+v %v", got, err)
	}
	if err := m.Seen(ctx, "nope", at); err == nil {
		t.Error("Seen of an unknown client succeeded")
	}
}
