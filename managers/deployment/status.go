package deployment

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// ReportStatus stores a status report of deployment id: it becomes the
// latest one and heads the bounded history. fault.NotFound
// (deployment-not-found) for a deployment the client does not have;
// fault.Unprocessable listing every violation when the report's
// deploymentId or components do not match the deployment's. A tombstoned
// deployment reporting removed is deleted with its YAMLs and statuses.
func (m *Manager) ReportStatus(ctx context.Context, client, id string, st *document.DeploymentStatusManifest, raw []byte) error {
	if err := base.CheckClient(client); err != nil {
		return err
	}
	if st == nil {
		return fault.New(fault.BadRequest, "no status report")
	}
	if !base.ValidID(id) {
		return deploymentNotFound(client, id)
	}
	body, err := codec.Compact(st, raw)
	if err != nil {
		return err
	}
	report := fleet.StatusReport{Received: m.base.Now().UTC(), State: st.Status.State, Report: body}

	var purged bool
	err = m.base.Locked(client, func() error {
		return m.base.Retry(ctx, "deployment "+id+" of client "+client, func() (err error) {
			purged, err = m.tryReport(ctx, client, id, st, report)
			return err
		})
	})
	if err != nil {
		return err
	}
	if purged {
		m.base.Log.InfoContext(ctx, "removed deployment purged", "client", client, "deployment", id)
	}
	m.publish(ctx, fleet.DeploymentEvent{ClientID: client, DeploymentID: id, Kind: fleet.DeploymentStatus, State: report.State})
	return nil
}

// tryReport is one attempt of ReportStatus. It returns whether the
// deployment was purged.
func (m *Manager) tryReport(ctx context.Context, client, id string, st *document.DeploymentStatusManifest, report fleet.StatusReport) (bool, error) {
	cur, err := m.getRecord(ctx, client, id)
	if err != nil {
		return false, err
	}
	if err := document.Unprocessable(document.ValidateStatus(st, id, cur.rec.Components)); err != nil {
		return false, err
	}
	sr, ver, err := m.getStatus(ctx, client, id)
	if err != nil {
		return false, err
	}
	if cur.rec.Deleted && report.State == document.StateRemoved {
		return true, m.purge(ctx, client, cur, ver)
	}
	sr.Reports = append([]fleet.StatusReport{report}, sr.Reports...)
	if len(sr.Reports) > m.cfg.StatusHistory {
		sr.Reports = sr.Reports[:m.cfg.StatusHistory]
	}
	b, err := codec.Encode(sr)
	if err != nil {
		return false, err
	}
	// Conditioned on the history's version: a concurrent report or purge
	// makes one of the two retry.
	_, err = m.base.Store.Put(ctx, statusKey(client, id), b, state.IfVersion(ver))
	return false, err
}

// purge deletes a tombstoned deployment: its record and status history (if
// still at the versions read) and its YAMLs.
func (m *Manager) purge(ctx context.Context, client string, cur stored, statusVer uint64) error {
	id := cur.rec.DeploymentID
	ops := []state.Op{
		{Key: recKey(client, id), Delete: true, If: state.IfVersion(cur.version)},
		{Key: statusKey(client, id), Delete: true, If: state.IfVersion(statusVer)},
		{Key: yamlKey(client, id, cur.rec.Digest), Delete: true},
	}
	for _, d := range cur.rec.Revisions {
		ops = append(ops, state.Op{Key: yamlKey(client, id, d), Delete: true})
	}
	_, err := m.base.Store.Batch(ctx, ops)
	return err
}

// Statuses returns up to limit status reports of deployment id, newest
// first (limit <= 0: all kept). fault.NotFound when the deployment is unknown.
func (m *Manager) Statuses(ctx context.Context, client, id string, limit int) ([]fleet.StatusReport, error) {
	if err := base.CheckClient(client); err != nil {
		return nil, err
	}
	if !base.ValidID(id) {
		return nil, deploymentNotFound(client, id)
	}
	if _, err := m.getRecord(ctx, client, id); err != nil {
		return nil, err
	}
	sr, _, err := m.getStatus(ctx, client, id)
	if err != nil {
		return nil, err
	}
	if sr.Reports == nil {
		sr.Reports = []fleet.StatusReport{}
	}
	if limit > 0 && len(sr.Reports) > limit {
		sr.Reports = sr.Reports[:limit]
	}
	return sr.Reports, nil
}
