package rollout

import (
	"context"
	"fmt"
	"slices"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// Create implements fleet.Rollouts.
func (m *Manager) Create(ctx context.Context, spec fleet.RolloutSpec) (fleet.Rollout, error) {
	res, err := m.resolve(ctx, spec, nil, true)
	if err != nil {
		return fleet.Rollout{}, err
	}
	spec = res.spec
	if spec.ID == "" {
		spec.ID = newID(spec.Application)
	}
	if err := m.checkRender(spec, res.desc); err != nil {
		return fleet.Rollout{}, err
	}
	now := m.base.Now().UTC()
	r := fleet.Rollout{RolloutSpec: spec, Generation: 1, Created: now, Updated: now}
	l := m.lock(r.ID)
	l.Lock()
	defer l.Unlock()
	if err := m.put(ctx, r, 0); err != nil {
		if fault.Is(err, fault.Conflict) {
			return fleet.Rollout{}, fault.New(fault.Conflict, "deployment %q already exists; choose another id or update it with PATCH", r.ID)
		}
		return fleet.Rollout{}, err
	}
	m.base.Log.InfoContext(ctx, "deployment created", "deployment", r.ID, "application", r.Application, "version", r.Version)
	p, err := m.pass(ctx, r, res.desc)
	if err != nil {
		return fleet.Rollout{}, fmt.Errorf("deployment %s was created but not yet rendered on every device (the next reconcile completes it): %w", r.ID, err)
	}
	return m.withSummary(ctx, r, p)
}

// checkRender renders spec for a stand-in device with every profile it may
// use and parses the result, so a description whose documents devices would
// refuse is reported before anything is stored.
func (m *Manager) checkRender(spec fleet.RolloutSpec, desc *application.Description) error {
	ref := fleet.DeviceRef{ClientID: "check", DeviceID: "check"}
	spec.ID = "check" // the id may still be generated
	var vs []fault.Violation
	usable := 0
	for i := range desc.Profiles {
		p := &desc.Profiles[i]
		if spec.Profile != "" && p.ID != spec.Profile {
			continue
		}
		doc, err := render(spec, m.cfg.Namespace, desc, p, ref)
		if err == nil {
			_, err = document.ParseDeployment(doc)
		}
		if err == nil {
			usable++
			continue
		}
		if fe := fault.As(err); len(fe.Violations) > 0 {
			for _, v := range fe.Violations {
				vs = append(vs, fault.Violation{Field: "profile " + p.ID + ": " + v.Field, Message: v.Message})
			}
		} else {
			vs = append(vs, fault.Violation{Field: "profile " + p.ID, Message: err.Error()})
		}
	}
	if usable == 0 {
		return document.Unprocessable(vs)
	}
	return nil
}

// Rollout implements fleet.Rollouts.
func (m *Manager) Rollout(ctx context.Context, id string) (fleet.Rollout, error) {
	r, _, err := m.get(ctx, id)
	if err != nil {
		return fleet.Rollout{}, err
	}
	p, _, err := m.getPlacements(ctx, id)
	if err != nil {
		return fleet.Rollout{}, err
	}
	return m.withSummary(ctx, r, p)
}

// Rollouts implements fleet.Rollouts. A listing counts devices but leaves
// out their states.
func (m *Manager) Rollouts(ctx context.Context, filter fleet.RolloutFilter, page fleet.Page) ([]fleet.Rollout, string, error) {
	var out []fleet.Rollout
	want := page.Limit
	if want <= 0 {
		want = listBatch
	}
	for {
		page.Limit = want - len(out)
		es, next, err := m.base.List(ctx, prefixRec, page)
		if err != nil {
			return nil, "", err
		}
		for _, e := range es {
			var r fleet.Rollout
			if err := codec.Decode(e, &r); err != nil {
				return nil, "", err
			}
			if filter.Application != "" && r.Application != filter.Application {
				continue
			}
			s, err := m.getSummary(ctx, r.ID)
			if err != nil {
				return nil, "", err
			}
			if _, found := slices.BinarySearch(s.Clients, filter.ClientID); filter.ClientID != "" && !found {
				continue
			}
			r.Summary = &s.RolloutSummary
			out = append(out, r)
		}
		if next == "" || len(out) == want {
			return out, next, nil
		}
		page.After = next
	}
}

// Update implements fleet.Rollouts.
func (m *Manager) Update(ctx context.Context, id string, patch fleet.RolloutPatch) (fleet.Rollout, error) {
	l := m.lock(id)
	l.Lock()
	defer l.Unlock()
	r, ver, err := m.get(ctx, id)
	if err != nil {
		return fleet.Rollout{}, err
	}
	if r.Deleting {
		return fleet.Rollout{}, fault.New(fault.Conflict, "deployment %q is being deleted", id)
	}
	if patch.IfGeneration != 0 && patch.IfGeneration != r.Generation {
		return fleet.Rollout{}, fault.New(fault.PreconditionFailed,
			"deployment %q is at generation %d, not %d: someone changed it meanwhile; read it again and reapply your change", id, r.Generation, patch.IfGeneration)
	}
	spec := r.RolloutSpec
	if patch.Version != nil {
		spec.Version = *patch.Version
	}
	if patch.Profile != nil {
		spec.Profile = *patch.Profile
	}
	if patch.Parameters != nil {
		spec.Parameters = *patch.Parameters
	}
	if patch.Target != nil {
		spec.Target = *patch.Target
	}
	previous := r.Parameters
	if previous == nil {
		previous = map[string]any{}
	}
	res, err := m.resolve(ctx, spec, previous, patch.Target != nil)
	if err != nil {
		return fleet.Rollout{}, err
	}
	if err := m.checkRender(res.spec, res.desc); err != nil {
		return fleet.Rollout{}, err
	}
	r.RolloutSpec = res.spec
	r.Generation++
	r.Updated = m.base.Now().UTC()
	if err := m.put(ctx, r, ver); err != nil {
		return fleet.Rollout{}, err
	}
	m.base.Log.InfoContext(ctx, "deployment updated", "deployment", r.ID, "version", r.Version, "generation", r.Generation)
	p, err := m.pass(ctx, r, res.desc)
	if err != nil {
		return fleet.Rollout{}, fmt.Errorf("deployment %s was updated but not yet rendered on every device (the next reconcile completes it): %w", r.ID, err)
	}
	return m.withSummary(ctx, r, p)
}

// Delete implements fleet.Rollouts.
func (m *Manager) Delete(ctx context.Context, id string, forget bool) (bool, error) {
	l := m.lock(id)
	l.Lock()
	defer l.Unlock()
	r, ver, err := m.get(ctx, id)
	if err != nil {
		return false, err
	}
	p, _, err := m.getPlacements(ctx, id)
	if err != nil {
		return false, err
	}
	if !r.Deleting {
		r.Deleting, r.Generation, r.Updated = true, r.Generation+1, m.base.Now().UTC()
		if err := m.put(ctx, r, ver); err != nil {
			return false, err
		}
	}
	for _, pl := range p.Items {
		if pl.DeploymentID == "" {
			continue
		}
		op := m.deps.Remove
		if forget {
			op = m.deps.Purge
		}
		if err := op(ctx, pl.ClientID, pl.DeploymentID); err != nil && !fault.Is(err, fault.NotFound) {
			return false, err
		}
	}
	m.base.Log.InfoContext(ctx, "deployment deleted", "deployment", id, "devices", len(p.Items), "forget", forget)
	if forget {
		return true, m.drop(ctx, id)
	}
	return m.dropIfGone(ctx, r, p)
}

// dropIfGone drops a deleting rollout whose devices all reported its
// deployments removed; it reports whether it did.
func (m *Manager) dropIfGone(ctx context.Context, r fleet.Rollout, p placements) (bool, error) {
	for _, pl := range p.Items {
		if pl.DeploymentID == "" {
			continue
		}
		_, err := m.deps.Deployment(ctx, pl.ClientID, pl.DeploymentID)
		if err == nil {
			return false, nil
		}
		if !fault.Is(err, fault.NotFound) {
			return false, err
		}
	}
	return true, m.drop(ctx, r.ID)
}

// drop deletes a rollout's records.
func (m *Manager) drop(ctx context.Context, id string) error {
	for _, k := range []string{placeKey(id), sumKey(id)} {
		if err := m.base.Store.Delete(ctx, k, state.Always()); err != nil && !fault.Is(err, fault.NotFound) {
			return err
		}
	}
	if err := m.base.Store.Delete(ctx, recKey(id), state.Always()); err != nil && !fault.Is(err, fault.NotFound) {
		return err
	}
	m.locks.Delete(id) // a later caller finds the rollout gone whatever mutex it takes
	m.base.Log.InfoContext(ctx, "deployment gone from every device", "deployment", id)
	return nil
}
