package rollout

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/fault"

	"github.com/cadenza-edge/cadenza/fleet"
)

// Reconcile renders every rollout again (see the package documentation).
// A rollout's failure is logged and the others go on; only a failure to
// list the rollouts is returned.
func (m *Manager) Reconcile(ctx context.Context) error {
	page := fleet.Page{Limit: listBatch}
	for {
		rs, next, err := m.Rollouts(ctx, fleet.RolloutFilter{}, page)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := m.reconcileOne(ctx, r.ID); err != nil {
				m.base.Log.WarnContext(ctx, "reconciling a deployment failed", "deployment", r.ID, "err", err)
			}
		}
		if next == "" || ctx.Err() != nil {
			return ctx.Err()
		}
		page.After = next
	}
}

// reconcileOne renders one rollout again, or drops it when it is deleting
// and gone from every device.
func (m *Manager) reconcileOne(ctx context.Context, id string) error {
	l := m.lock(id)
	l.Lock()
	defer l.Unlock()
	r, _, err := m.get(ctx, id)
	if err != nil {
		return err
	}
	if r.Deleting {
		p, _, err := m.getPlacements(ctx, id)
		if err != nil {
			return err
		}
		_, err = m.dropIfGone(ctx, r, p)
		return err
	}
	v, err := m.catalog.Version(ctx, r.Application, r.Version)
	if err != nil {
		return err
	}
	_, err = m.pass(ctx, r, v.Description)
	if fault.Is(err, fault.Conflict) { // another host rendered it meanwhile
		m.base.Log.DebugContext(ctx, "deployment rendered concurrently elsewhere", "deployment", id, "err", err)
		return nil
	}
	return err
}
