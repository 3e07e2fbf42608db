package rollout

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// State names of placements beyond the deployment states.
const (
	statePending = document.State("pending") // assigned, no report yet
	stateRemoved = document.State("removed") // gone from the device
)

// count is a summary without states, and the clients targeted.
func count(p placements) summary {
	s := summary{RolloutSummary: fleet.RolloutSummary{Devices: len(p.Items)}}
	for _, pl := range p.Items {
		if pl.DeploymentID != "" {
			s.Assigned++
		} else {
			s.Ineligible++
		}
		if n := len(s.Clients); n == 0 || s.Clients[n-1] != pl.ClientID { // items are in client order
			s.Clients = append(s.Clients, pl.ClientID)
		}
	}
	return s
}

// withSummary returns r with the summary of p, states included.
func (m *Manager) withSummary(ctx context.Context, r fleet.Rollout, p placements) (fleet.Rollout, error) {
	s := count(p).RolloutSummary
	s.States = map[string]int{}
	for _, pl := range p.Items {
		if pl.DeploymentID == "" {
			continue
		}
		st, _, err := m.stateOf(ctx, pl)
		if err != nil {
			return fleet.Rollout{}, err
		}
		s.States[string(st)]++
	}
	r.Summary = &s
	return r, nil
}

// stateOf is a placement's latest state and digest: the deployment's last
// reported state, pending before a first report, removed once the
// deployment is gone.
func (m *Manager) stateOf(ctx context.Context, pl fleet.Placement) (document.State, string, error) {
	d, err := m.deps.Deployment(ctx, pl.ClientID, pl.DeploymentID)
	switch {
	case fault.Is(err, fault.NotFound):
		return stateRemoved, "", nil
	case err != nil:
		return "", "", err
	case d.Status != nil:
		return d.Status.State, d.Digest, nil
	}
	return statePending, d.Digest, nil
}

// Placements implements fleet.Rollouts: in client and device order; the
// cursor is "<clientId>/<deviceId>" of the last item.
func (m *Manager) Placements(ctx context.Context, id string, page fleet.Page) ([]fleet.Placement, string, error) {
	if _, _, err := m.get(ctx, id); err != nil {
		return nil, "", err
	}
	p, _, err := m.getPlacements(ctx, id)
	if err != nil {
		return nil, "", err
	}
	items := p.Items
	if page.After != "" {
		// Items are in (client, device) order; a client id has no '/'.
		c, d, _ := strings.Cut(page.After, "/")
		i, found := slices.BinarySearchFunc(items, fleet.DeviceRef{ClientID: c, DeviceID: d}, func(pl fleet.Placement, at fleet.DeviceRef) int {
			return cmp.Or(strings.Compare(pl.ClientID, at.ClientID), strings.Compare(pl.DeviceID, at.DeviceID))
		})
		if found {
			i++
		}
		items = items[i:]
	}
	next := ""
	if page.Limit > 0 && len(items) > page.Limit {
		items = items[:page.Limit]
		last := items[len(items)-1]
		next = last.ClientID + "/" + last.DeviceID
	}
	out := slices.Clone(items)
	for i := range out {
		if out[i].DeploymentID == "" {
			continue
		}
		if out[i].State, out[i].Digest, err = m.stateOf(ctx, out[i]); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}
