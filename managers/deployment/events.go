package deployment

import (
	"context"

	"github.com/cadenza-edge/cadenza/fleet"
)

// Topic is the pub/sub topic of deployment events (fleet.DeploymentEvent).
const Topic = fleet.TopicDeployments

// publish sends ev when an event bus is bound. A failure is logged only: the
// change it reports is already committed.
func (m *Manager) publish(ctx context.Context, ev fleet.DeploymentEvent) {
	if err := m.base.Publish(ctx, Topic, ev); err != nil {
		m.base.Log.WarnContext(ctx, "publishing a deployment event failed", "topic", Topic, "kind", ev.Kind,
			"client", ev.ClientID, "deployment", ev.DeploymentID, "err", err)
	}
}
