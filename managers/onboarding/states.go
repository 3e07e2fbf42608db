package onboarding

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
)

// SetState is the operator's decision on a client. Allowed transitions:
// pending -> approved | rejected, approved -> revoked, rejected -> approved,
// revoked -> approved. Setting the state a client already has is a no-op.
// Errors: fault.BadRequest for an unknown state, fault.NotFound for an
// unknown client, fault.Conflict for a transition not allowed (including
// approving a key the policy refuses).
func (m *Manager) SetState(ctx context.Context, clientID string, st fleet.ClientState) (fleet.Client, error) {
	if !knownState(st) {
		return fleet.Client{}, fault.New(fault.BadRequest, "unknown client state %q: use %q, %q or %q",
			st, fleet.ClientApproved, fleet.ClientRejected, fleet.ClientRevoked)
	}
	for range maxAttempts {
		c, version, err := m.load(ctx, clientID)
		if err != nil {
			return fleet.Client{}, err
		}
		if c.State == st {
			return m.policy.effective(c), nil
		}
		if !allowed(c.State, st) {
			return fleet.Client{}, fault.New(fault.Conflict, "client %s is %s and cannot become %s; from %s it can become: %s",
				c.ID, c.State, st, c.State, strings.Join(nextStates(c.State), ", "))
		}
		if reason := m.policy.refusal(c.KeyID); st == fleet.ClientApproved && reason != "" {
			return fleet.Client{}, fault.New(fault.Conflict, "client %s cannot be approved: %s; change managers.onboarding policy first", c.ID, reason)
		}
		from := c.State
		c.State, c.Updated = st, m.now().UTC()
		raw, err := json.Marshal(c)
		if err != nil {
			return fleet.Client{}, fmt.Errorf("onboarding: encoding client %s: %w", c.ID, err)
		}
		_, err = m.store.Put(ctx, clientPrefix+c.ID, raw, state.IfVersion(version))
		switch {
		case fault.Is(err, fault.Conflict):
			continue // changed meanwhile: decide again on the new state
		case err != nil:
			return fleet.Client{}, fmt.Errorf("onboarding: storing client %s: %w", c.ID, err)
		}
		m.log.InfoContext(ctx, "client state changed", "clientId", c.ID, "from", from, "to", st)
		return m.policy.effective(c), nil
	}
	return fleet.Client{}, fault.New(fault.Conflict, "client %s keeps changing; retry", clientID)
}

// knownState reports whether st is one of the fleet.ClientState values.
func knownState(st fleet.ClientState) bool {
	switch st {
	case fleet.ClientApproved, fleet.ClientPending, fleet.ClientRejected, fleet.ClientRevoked:
		return true
	}
	return false
}

// allowed reports whether an operator may move a client from one state to another.
func allowed(from, to fleet.ClientState) bool {
	switch to {
	case fleet.ClientApproved:
		return from == fleet.ClientPending || from == fleet.ClientRejected || from == fleet.ClientRevoked
	case fleet.ClientRejected:
		return from == fleet.ClientPending
	case fleet.ClientRevoked:
		return from == fleet.ClientApproved
	}
	return false
}

// nextStates lists the states allowed from from.
func nextStates(from fleet.ClientState) []string {
	var out []string
	for _, to := range []fleet.ClientState{fleet.ClientApproved, fleet.ClientRejected, fleet.ClientRevoked} {
		if allowed(from, to) {
			out = append(out, string(to))
		}
	}
	return out
}
