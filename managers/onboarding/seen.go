package onboarding

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// Seen implements fleet.Onboarding: it moves the client's LastSeen forward
// to at. It is bookkeeping: a concurrent change of the client wins and this
// update is dropped (the client's next request records it again).
func (m *Manager) Seen(ctx context.Context, clientID string, at time.Time) error {
	c, version, err := m.load(ctx, clientID)
	if err != nil {
		return err
	}
	at = at.UTC()
	if !at.After(c.LastSeen) {
		return nil
	}
	c.LastSeen = at
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("onboarding: encoding client %s: %w", c.ID, err)
	}
	if _, err := m.store.Put(ctx, clientPrefix+clientID, raw, state.IfVersion(version)); err != nil && !fault.Is(err, fault.Conflict) {
		return fmt.Errorf("onboarding: recording when client %s was seen: %w", clientID, err)
	}
	return nil
}
