package deployment

import (
	"context"

	"github.com/cadenza-edge/cadenza/margo/document"
)

// Topic is the pub/sub topic of deployment events.
const Topic = "deployments"

// Event kinds.
const (
	kindApplied = "applied"
	kindRemoved = "removed"
	kindStatus  = "status"
)

// event is the message published on Topic after each change.
type event struct {
	ClientID        string         `json:"clientId"`
	DeploymentID    string         `json:"deploymentId"`
	ManifestVersion uint64         `json:"manifestVersion,omitempty"` // applied and removed
	Kind            string         `json:"kind"`
	State           document.State `json:"state,omitempty"` // status
}

// publish sends ev when an event bus is bound. A failure is logged only: the
// change it reports is already committed.
func (m *Manager) publish(ctx context.Context, ev event) {
	if err := m.base.Publish(ctx, Topic, ev); err != nil {
		m.base.Log.WarnContext(ctx, "publishing a deployment event failed", "topic", Topic, "kind", ev.Kind,
			"client", ev.ClientID, "deployment", ev.DeploymentID, "err", err)
	}
}
