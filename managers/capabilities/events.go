package capabilities

import (
	"context"

	"github.com/cadenza-edge/cadenza/fleet"
)

// Topic is the pub/sub topic of capabilities events (fleet.CapabilitiesEvent).
const Topic = fleet.TopicCapabilities

// publish sends ev when an event bus is bound. A failure is logged only: the
// change it reports is already committed.
func (m *Manager) publish(ctx context.Context, ev fleet.CapabilitiesEvent) {
	if err := m.base.Publish(ctx, Topic, ev); err != nil {
		m.base.Log.WarnContext(ctx, "publishing a capabilities event failed", "topic", Topic, "kind", ev.Kind,
			"client", ev.ClientID, "device", ev.DeviceID, "err", err)
	}
}
