package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cadenza-edge/cadenza/margo/client"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// target is the accepted desired state: the manifest version and ETag the
// agent committed to, and its deployments in manifest order. Accepted means
// every digest was verified and every YAML is stored; the reconcile loop
// then converges the device toward it, across restarts.
type target struct {
	Version     uint64      `json:"version"`
	ETag        string      `json:"etag"`
	AcceptedAt  time.Time   `json:"acceptedAt"`
	Deployments []targetRef `json:"deployments"`
}

// targetRef is one deployment of the target.
type targetRef struct {
	ID     string `json:"deploymentId"`
	Digest string `json:"digest"`
}

// accept commits a verified manifest in one batch: the new target (version
// and ETag), the YAMLs of new and changed deployments, the removal of the
// YAMLs of dropped ones, and for each new or changed deployment a record in
// state pending with its report. Only after this batch is the new version
// and ETag the agent's; until then the previous state stands.
func (p *poller) accept(ctx context.Context, res *client.ManifestResult, changed []fetched) error {
	now := p.now()
	man := res.Manifest
	next := target{Version: man.ManifestVersion, ETag: res.ETag, AcceptedAt: now.UTC(), Deployments: make([]targetRef, len(man.Deployments))}
	keep := map[string]bool{}
	for i, r := range man.Deployments {
		next.Deployments[i] = targetRef{ID: r.DeploymentID, Digest: r.Digest}
		keep[r.DeploymentID] = true
	}
	t := &txn{rc3: p.cfg.Profile == ProfileRC3}
	if err := t.put(keyTarget, next); err != nil {
		return err
	}
	var removed []string
	for _, r := range p.target.Deployments {
		if !keep[r.ID] {
			t.del(yamlKey(r.ID))
			removed = append(removed, r.ID)
		}
	}
	for _, f := range changed {
		t.putRaw(yamlKey(f.ref.DeploymentID), f.yaml)
		rec := newRecord(f.dep, f.ref.Digest, man.ManifestVersion)
		rec.setAll(document.StatePending)
		rec.settle(statusError(CodePending, rec.Name, fmt.Sprintf("received in manifest version %d; waiting to be installed", man.ManifestVersion)), now)
		if err := t.record(rec, now); err != nil {
			return err
		}
	}
	if err := p.queue.commit(ctx, t); err != nil {
		return err
	}
	prev := p.target.Version
	p.target = next
	p.log.Info("accepted a new desired state", "manifestVersion", next.Version, "previousVersion", prev,
		"deployments", len(next.Deployments), "changed", len(changed), "removed", len(removed))
	return nil
}

// newRecord is the record of a deployment revision, every component pending.
func newRecord(dep *document.ApplicationDeployment, digest string, version uint64) *deploymentRecord {
	prof := dep.Spec.DeploymentProfile
	rec := &deploymentRecord{
		ID: dep.ID(), Name: dep.Metadata.Name, Namespace: dep.Metadata.Namespace, ProfileType: prof.Type,
		Digest: digest, ManifestVersion: version, Components: make([]componentState, len(prof.Components)),
	}
	for i, c := range prof.Components {
		rec.Components[i] = componentState{Name: c.Name, State: document.StatePending}
	}
	return rec
}

// load reads the accepted target at start.
func (p *poller) load(ctx context.Context) error {
	_, _, err := getJSON(ctx, p.store, keyTarget, &p.target)
	return err
}

// decodeRecord reads a deployment record.
func decodeRecord(b []byte) (*deploymentRecord, error) {
	var r deploymentRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
