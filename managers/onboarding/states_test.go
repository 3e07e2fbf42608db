package onboarding

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestSetStateTransitions(t *testing.T) {
	const (
		approved = fleet.ClientApproved
		pending  = fleet.ClientPending
		rejected = fleet.ClientRejected
		revoked  = fleet.ClientRevoked
	)
	// path walks a pending client to a state.
	path := map[fleet.ClientState][]fleet.ClientState{
		pending: nil, approved: {approved}, rejected: {rejected}, revoked: {approved, revoked},
	}
	m := newManager(t, memory.New(), `{"policy": {"mode": "manual"}}`)
	is := newIssuer(t)
	for _, tc := range []struct {
		from, to fleet.ClientState
		code     fault.Code // "" = allowed
	}{
		{pending, approved, ""},
		{pending, rejected, ""},
		{pending, revoked, fault.Conflict},
		{pending, pending, ""}, // already there: no-op
		{approved, revoked, ""},
		{approved, rejected, fault.Conflict},
		{approved, pending, fault.Conflict},
		{approved, approved, ""},
		{rejected, approved, ""},
		{rejected, revoked, fault.Conflict},
		{rejected, pending, fault.Conflict},
		{revoked, approved, ""},
		{revoked, rejected, fault.Conflict},
		{revoked, pending, fault.Conflict},
		{pending, "deleted", fault.BadRequest},
		{approved, "", fault.BadRequest},
	} {
		t.Run(fmt.Sprintf("%s to %q", tc.from, tc.to), func(t *testing.T) {
			ctx := context.Background()
			c, err := m.Onboard(ctx, is.issue(t, certSpec{}))
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range path[tc.from] {
				if _, err := m.SetState(ctx, c.ID, st); err != nil {
					t.Fatalf("walking to %s: %v", tc.from, err)
				}
			}
			got, err := m.SetState(ctx, c.ID, tc.to)
			stored, gerr := m.Client(ctx, c.ID)
			if gerr != nil {
				t.Fatal(gerr)
			}
			if tc.code != "" {
				fe := wantFault(t, err, tc.code, "")
				if fe.Detail == "" {
					t.Error("no detail")
				}
				if stored.State != tc.from {
					t.Fatalf("state = %s after a refused transition, want %s", stored.State, tc.from)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tc.to || stored.State != tc.to {
				t.Fatalf("SetState gave %s, stored %s; want %s", got.State, stored.State, tc.to)
			}
			if stored.Updated.Before(stored.Created) {
				t.Errorf("updated %s before created %s", stored.Updated, stored.Created)
			}
		})
	}
}

func TestSetStateApproveRefusedByPolicy(t *testing.T) {
	store := memory.New()
	is := newIssuer(t)
	key := mustP256(t)
	m1 := newManager(t, store, `{"policy": {"mode": "manual"}}`)
	c, err := m1.Onboard(context.Background(), is.issue(t, certSpec{key: key}))
	if err != nil {
		t.Fatal(err)
	}
	m2 := newManager(t, store, `{"policy": {"mode": "manual", "deny": ["`+keyID(t, key)+`"]}}`)
	_, err = m2.SetState(context.Background(), c.ID, fleet.ClientApproved)
	if fe := wantFault(t, err, fault.Conflict, ""); !strings.Contains(fe.Detail, "deny list") {
		t.Fatalf("detail %q does not name the deny list", fe.Detail)
	}
}

func TestClientUnknownOrInvalidIDIsNotFound(t *testing.T) {
	store := &countingStore{Store: memory.New()}
	m := newManager(t, store, "")
	for _, tc := range []struct {
		name  string
		id    string
		reads int // store reads expected
	}{
		{"unknown UUID", "5b4f0e0e-9a38-4b1c-9a3e-2d6f3b1c0a11", 1},
		{"empty", "", 0},
		{"unknown rc.3 client id (operator-chosen)", "client-1", 1},
		{"upper-case UUID (an rc.3 id shape)", "5B4F0E0E-9A38-4B1C-9A3E-2D6F3B1C0A11", 1},
		{"UUID without hyphens (an rc.3 id shape)", "5b4f0e0e9a384b1c9a3e2d6f3b1c0a11", 1},
		{"rc.3 id too long", strings.Repeat("a", 65), 0},
		{"rc.3 id with a space", "client 1", 0},
		{"URN UUID", "urn:uuid:5b4f0e0e-9a38-4b1c-9a3e-2d6f3b1c0a11", 0},
		{"path traversal", "../ca", 0},
		{"huge", strings.Repeat("a", 10000), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := store.gets.Load()
			_, err := m.Client(context.Background(), tc.id)
			wantFault(t, err, fault.NotFound, document.ProblemInvalidClient)
			if got := store.gets.Load() - before; got != int64(tc.reads) {
				t.Fatalf("%d store reads, want %d", got, tc.reads)
			}
			_, err = m.SetState(context.Background(), tc.id, fleet.ClientRevoked)
			wantFault(t, err, fault.NotFound, document.ProblemInvalidClient)
		})
	}
}

func TestRevocationVisibleThroughClientImmediately(t *testing.T) {
	store := memory.New()
	device, operator := newManager(t, store, ""), newManager(t, store, "") // two hosts, one store
	ctx := context.Background()
	c, err := device.Onboard(ctx, newIssuer(t).issue(t, certSpec{}))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := device.Client(ctx, c.ID); err != nil || got.State != fleet.ClientApproved { // warms the cache
		t.Fatalf("Client = %s, %v", got.State, err)
	}
	for _, step := range []fleet.ClientState{fleet.ClientRevoked, fleet.ClientApproved, fleet.ClientRevoked} {
		if _, err := operator.SetState(ctx, c.ID, step); err != nil {
			t.Fatal(err)
		}
		got, err := device.Client(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != step {
			t.Fatalf("the other host sees %s right after %s", got.State, step)
		}
	}
}

func TestDenyAddedLaterReadsAsRejected(t *testing.T) {
	store := memory.New()
	is := newIssuer(t)
	key := mustP256(t)
	cert := is.issue(t, certSpec{key: key})
	c, err := newManager(t, store, "").Onboard(context.Background(), cert)
	if err != nil {
		t.Fatal(err)
	}
	m := newManager(t, store, `{"policy": {"deny": ["`+keyID(t, key)+`"]}}`)
	got, err := m.Client(context.Background(), c.ID)
	if err != nil || got.State != fleet.ClientRejected {
		t.Fatalf("Client = %s, %v; want rejected", got.State, err)
	}
	_, err = m.Onboard(context.Background(), cert)
	wantFault(t, err, fault.Forbidden, document.ProblemCertificateNotTrusted)
}
