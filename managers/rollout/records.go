package rollout

import (
	"context"
	"regexp"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
)

// Key prefixes of the storage layout (see the package documentation).
const (
	prefixRec   = "rollout/rec/"
	prefixPlace = "rollout/place/"
	prefixSum   = "rollout/sum/"
)

func recKey(id string) string   { return prefixRec + id }
func placeKey(id string) string { return prefixPlace + id }
func sumKey(id string) string   { return prefixSum + id }

// nameRE is a Kubernetes DNS label: rollout ids and namespaces.
var nameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

func validName(s string) bool { return nameRE.MatchString(s) }

// placements is the stored outcome of the last render pass of a rollout.
type placements struct {
	Generation uint64            `json:"generation"`
	Items      []fleet.Placement `json:"items"`
}

// notFound is the 404 of an unknown rollout.
func notFound(id string) error {
	return fault.New(fault.NotFound, "deployment %q not found (GET /deployments lists them)", id)
}

// get reads a rollout record and its store version.
func (m *Manager) get(ctx context.Context, id string) (fleet.Rollout, uint64, error) {
	var r fleet.Rollout
	if !validName(id) {
		return r, 0, notFound(id)
	}
	ver, found, err := m.base.Get(ctx, recKey(id), &r)
	if err == nil && !found {
		err = notFound(id)
	}
	return r, ver, err
}

// summary is the stored digest of a rollout's placements, written with
// them: what a listing shows and filters on without reading every device.
type summary struct {
	fleet.RolloutSummary
	Clients []string `json:"clients,omitempty"` // the targeted clients, sorted, each once
}

// getSummary reads the summary of a rollout; absent is empty.
func (m *Manager) getSummary(ctx context.Context, id string) (summary, error) {
	var s summary
	_, _, err := m.base.Get(ctx, sumKey(id), &s)
	return s, err
}

// getPlacements reads the placements of a rollout; absent is empty with version 0.
func (m *Manager) getPlacements(ctx context.Context, id string) (placements, uint64, error) {
	var p placements
	ver, _, err := m.base.Get(ctx, placeKey(id), &p)
	return p, ver, err
}

// put writes a rollout record conditioned on its store version ver (0: absent).
func (m *Manager) put(ctx context.Context, r fleet.Rollout, ver uint64) error {
	r.Summary = nil
	b, err := codec.Encode(r)
	if err != nil {
		return err
	}
	_, err = m.base.Store.Put(ctx, recKey(r.ID), b, state.IfVersion(ver))
	return err
}
