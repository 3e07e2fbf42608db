package capabilities

import "context"

// Topic is the pub/sub topic of capabilities events.
const Topic = "capabilities"

// Event kinds.
const (
	kindCreated = "created"
	kindUpdated = "updated"
	kindRemoved = "removed"
)

// event is the message published on Topic after each change.
type event struct {
	ClientID string `json:"clientId"`
	DeviceID string `json:"deviceId"`
	Kind     string `json:"kind"`
	Revision uint64 `json:"revision,omitempty"` // created and updated
}

// publish sends ev when an event bus is bound. A failure is logged only: the
// change it reports is already committed.
func (m *Manager) publish(ctx context.Context, ev event) {
	if err := m.base.Publish(ctx, Topic, ev); err != nil {
		m.base.Log.WarnContext(ctx, "publishing a capabilities event failed", "topic", Topic, "kind", ev.Kind,
			"client", ev.ClientID, "device", ev.DeviceID, "err", err)
	}
}
