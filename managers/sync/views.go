package sync

import (
	"context"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// StatusView is the agent's overall status (GET /agent/v1/status).
type StatusView struct {
	ClientID          string     `json:"clientId,omitempty"`
	Onboarded         bool       `json:"onboarded"`
	WFM               string     `json:"wfm"`
	AcceptedVersion   uint64     `json:"acceptedVersion"`
	ETag              string     `json:"etag,omitempty"`
	AcceptedAt        *time.Time `json:"acceptedAt,omitempty"`
	ReconciledVersion uint64     `json:"reconciledVersion"`
	LastPoll          *time.Time `json:"lastPoll,omitempty"`
	LastPollResult    string     `json:"lastPollResult,omitempty"`
	LastPollError     string     `json:"lastPollError,omitempty"`
	PollingAllowed    bool       `json:"pollingAllowed"`
	InDowntime        bool       `json:"inDowntime"`
	StatusQueueDepth  int64      `json:"statusQueueDepth"`
	Blocked           string     `json:"blocked,omitempty"`
	LastError         string     `json:"lastError,omitempty"`
	// SVID is the X.509-SVID the agent presents (rc.3 only).
	SVID *SVIDView `json:"svid,omitempty"`
}

// SVIDView is the rc.3 agent's current SVID.
type SVIDView struct {
	SPIFFEID string    `json:"spiffeId"`
	Serial   string    `json:"serial"`
	NotAfter time.Time `json:"notAfter"`
}

// DeploymentView is one deployment as the agent sees it (GET /agent/v1/deployments).
type DeploymentView struct {
	DeploymentID    string                `json:"deploymentId"`
	Name            string                `json:"name,omitempty"`
	Namespace       string                `json:"namespace,omitempty"`
	ProfileType     string                `json:"profileType,omitempty"`
	Digest          string                `json:"digest,omitempty"`
	ManifestVersion uint64                `json:"manifestVersion"`
	State           document.State        `json:"state"`
	Error           *document.StatusError `json:"error,omitempty"`
	Components      []ComponentView       `json:"components"`
	LastError       string                `json:"lastError,omitempty"`
	Attempts        int                   `json:"attempts,omitempty"`
	NextRetry       *time.Time            `json:"nextRetry,omitempty"`
	Updated         time.Time             `json:"updated"`
}

// ComponentView is one component's state and what is applied.
type ComponentView struct {
	Name       string                `json:"name"`
	State      document.State        `json:"state"`
	Error      *document.StatusError `json:"error,omitempty"`
	Revision   string                `json:"revision,omitempty"`   // applied revision
	ParamsHash string                `json:"paramsHash,omitempty"` // of the applied parameters
	AppliedAt  *time.Time            `json:"appliedAt,omitempty"`
}

// Status returns the agent's status.
func (m *Manager) Status(ctx context.Context) (StatusView, error) {
	var t target
	if _, _, err := getJSON(ctx, m.store, keyTarget, &t); err != nil {
		return StatusView{}, err
	}
	var reconciled uint64
	if _, _, err := getJSON(ctx, m.store, keyReconciled, &reconciled); err != nil {
		return StatusView{}, err
	}
	now := m.now()
	rt := m.board.read()
	v := StatusView{
		ClientID: rt.ClientID, Onboarded: rt.ClientID != "", WFM: m.cfg.WFM.URL,
		AcceptedVersion: t.Version, ETag: t.ETag, AcceptedAt: timePtr(t.AcceptedAt), ReconciledVersion: reconciled,
		LastPoll: timePtr(rt.LastPoll), LastPollResult: rt.LastPollResult, LastPollError: rt.LastPollError,
		PollingAllowed: m.sched.mayPoll(now), InDowntime: m.sched.down(now),
		StatusQueueDepth: m.met.depth.Load(), Blocked: rt.Blocked, LastError: rt.LastError,
	}
	if m.link != nil && m.link.svid != nil {
		if c, id, err := m.link.svid.load(); err == nil {
			v.SVID = &SVIDView{SPIFFEID: id.String(), Serial: c.Leaf.SerialNumber.Text(16), NotAfter: c.Leaf.NotAfter.UTC()}
		}
	}
	return v, nil
}

// Deployments returns every deployment the agent knows, in id order.
func (m *Manager) Deployments(ctx context.Context) ([]DeploymentView, error) {
	recs, err := m.recon.records(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]DeploymentView, 0, len(recs))
	for _, r := range sortedRecords(recs) {
		v, err := m.view(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Deployment returns one deployment; fault.NotFound when unknown.
func (m *Manager) Deployment(ctx context.Context, id string) (DeploymentView, error) {
	var r deploymentRecord
	_, found, err := getJSON(ctx, m.store, deployKey(id), &r)
	if err != nil {
		return DeploymentView{}, err
	}
	if !found {
		return DeploymentView{}, fault.New(fault.NotFound, "the agent has no deployment %q", id)
	}
	return m.view(ctx, &r)
}

func (m *Manager) view(ctx context.Context, r *deploymentRecord) (DeploymentView, error) {
	applied, err := m.recon.appliedOf(ctx, r.ID)
	if err != nil {
		return DeploymentView{}, err
	}
	v := DeploymentView{
		DeploymentID: r.ID, Name: r.Name, Namespace: r.Namespace, ProfileType: r.ProfileType, Digest: r.Digest,
		ManifestVersion: r.ManifestVersion, State: r.State, Error: r.Error, LastError: r.LastError,
		Attempts: r.Attempts, Updated: r.Updated, Components: make([]ComponentView, len(r.Components)),
	}
	if r.Attempts > 0 && !r.Permanent {
		v.NextRetry = timePtr(r.NextRetry)
	}
	for i, c := range r.Components {
		cv := ComponentView{Name: c.Name, State: c.State, Error: c.Error}
		if a, ok := applied[c.Name]; ok && !a.attempted() {
			cv.Revision, cv.ParamsHash, cv.AppliedAt = a.Spec.Revision, a.ParamsHash, timePtr(a.AppliedAt)
		}
		v.Components[i] = cv
	}
	return v, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
