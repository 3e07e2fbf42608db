package rollout

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/digest"
)

// progressEvery is how often a long render pass logs its progress.
const progressEvery = 2 * time.Second

// pass renders rollout r (of application version desc) on every device it
// targets, removes it from the devices it no longer targets and stores the
// placements. A device whose document cannot be applied is listed with the
// reason; only store failures fail the pass. The caller holds the
// rollout's lock.
func (m *Manager) pass(ctx context.Context, r fleet.Rollout, desc *application.Description) (placements, error) {
	old, oldVer, err := m.getPlacements(ctx, r.ID)
	if err != nil {
		return placements{}, err
	}
	cands, err := m.targets(ctx, r.Target)
	if err != nil {
		return placements{}, err
	}
	next := placements{Generation: r.Generation, Items: make([]fleet.Placement, len(cands))}
	prev := make(map[string]fleet.Placement, len(old.Items))
	for _, p := range old.Items {
		prev[refKey(fleet.DeviceRef{ClientID: p.ClientID, DeviceID: p.DeviceID})] = p
	}
	if err := m.applyAll(ctx, r, desc, cands, prev, next.Items); err != nil {
		return placements{}, err
	}
	assigned := map[string]bool{}
	for _, p := range next.Items {
		if p.DeploymentID != "" {
			assigned[p.ClientID+"\n"+p.DeploymentID] = true
		}
	}
	for _, p := range old.Items {
		if p.DeploymentID != "" && !assigned[p.ClientID+"\n"+p.DeploymentID] {
			if err := m.deps.Remove(ctx, p.ClientID, p.DeploymentID); err != nil && !fault.Is(err, fault.NotFound) {
				return placements{}, err
			}
			m.base.Log.InfoContext(ctx, "device left the deployment", "deployment", r.ID, "client", p.ClientID, "device", p.DeviceID)
		}
	}
	// Another host may have changed the rollout meanwhile: its own pass
	// then places the newer generation, and this one must not record the
	// older one (the placements write is conditioned too).
	if cur, _, err := m.get(ctx, r.ID); err != nil {
		return placements{}, err
	} else if cur.Generation != r.Generation {
		return placements{}, fault.New(fault.Conflict, "deployment %s changed to generation %d while generation %d was being rendered", r.ID, cur.Generation, r.Generation)
	}
	b, err := codec.Encode(next)
	if err != nil {
		return placements{}, err
	}
	sb, err := codec.Encode(count(next))
	if err != nil {
		return placements{}, err
	}
	ops := []state.Op{{Key: placeKey(r.ID), Value: b, If: state.IfVersion(oldVer)}, {Key: sumKey(r.ID), Value: sb}}
	if _, err := m.base.Store.Batch(ctx, ops); err != nil {
		return placements{}, err
	}
	return next, nil
}

// applyAll fills out[i] for cands[i], applying the rendered documents with
// cfg.Workers at a time and logging progress.
func (m *Manager) applyAll(ctx context.Context, r fleet.Rollout, desc *application.Description, cands []candidate, prev map[string]fleet.Placement, out []fleet.Placement) error {
	var (
		done     atomic.Int64
		storeErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	tm := newTemplates(r.RolloutSpec, m.cfg.Namespace, desc)
	work := make(chan int)
	stop := make(chan struct{})
	start := time.Now()
	go func() {
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				m.base.Log.InfoContext(ctx, "rendering deployment", "deployment", r.ID, "devices", len(cands), "done", done.Load())
			}
		}
	}()
	for range min(m.cfg.Workers, max(len(cands), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				var err error
				out[i], err = m.place(ctx, tm, r, desc, cands[i], prev[refKey(cands[i].ref)])
				if err != nil {
					once.Do(func() { storeErr = err })
				}
				done.Add(1)
			}
		}()
	}
feed:
	for i := range cands {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	close(stop)
	if storeErr == nil {
		storeErr = ctx.Err()
	}
	if storeErr == nil && len(cands) > 0 {
		m.base.Log.InfoContext(ctx, "deployment rendered", "deployment", r.ID, "generation", r.Generation,
			"devices", len(cands), "took", time.Since(start).Round(time.Millisecond))
	}
	return storeErr
}

// place renders and applies r on one candidate. The error is a store
// failure; a document the deployment manager refuses becomes the reason.
// When the last pass placed the same document there (prev) and the device
// still has it, nothing is applied: a follow pass over a large, unchanged
// fleet costs a render and a read per device.
func (m *Manager) place(ctx context.Context, tm *templates, r fleet.Rollout, desc *application.Description, c candidate, prev fleet.Placement) (fleet.Placement, error) {
	p := fleet.Placement{ClientID: c.ref.ClientID, DeviceID: c.ref.DeviceID, Reason: c.reason}
	if c.dev == nil {
		return p, nil
	}
	prof, why := choose(desc, r.Profile, c.dev)
	if prof == nil {
		p.Reason = why
		return p, nil
	}
	doc, err := tm.render(prof, c.ref, speaksRC3(c.dev))
	if err != nil {
		p.Reason = err.Error()
		return p, nil
	}
	if prev.DeploymentID != "" && prev.Digest == digest.Sha256(doc) {
		d, err := m.deps.Deployment(ctx, c.ref.ClientID, prev.DeploymentID)
		if err == nil && !d.Deleted && d.Digest == prev.Digest {
			p.Eligible, p.Profile, p.DeploymentID, p.Digest = true, prof.ID, d.DeploymentID, d.Digest
			return p, nil
		}
		if err != nil && !fault.Is(err, fault.NotFound) {
			return p, err
		}
	}
	d, err := m.deps.Apply(ctx, c.ref.ClientID, doc)
	if err != nil {
		if c := fault.CodeOf(err); c == fault.BadRequest || c == fault.Unprocessable {
			p.Reason = "the rendered document was refused: " + err.Error()
			return p, nil
		}
		return p, err
	}
	p.Eligible, p.Profile, p.DeploymentID, p.Digest = true, prof.ID, d.DeploymentID, d.Digest
	return p, nil
}
