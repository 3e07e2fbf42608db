package capabilities

import (
	"context"
	"encoding/json"
	"time"
)

// Topic is the pub/sub topic of capabilities events.
const Topic = "capabilities"

// Event kinds.
const (
	kindCreated = "created"
	kindUpdated = "updated"
	kindRemoved = "removed"
)

// publishTimeout bounds how long a change waits for a full event queue.
const publishTimeout = 2 * time.Second

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
	if m.bus == nil {
		return
	}
	data, err := json.Marshal(ev)
	if err == nil {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
		defer cancel()
		_, err = m.bus.Publish(pctx, Topic, data, nil)
	}
	if err != nil {
		m.log.WarnContext(ctx, "publishing a capabilities event failed", "topic", Topic, "kind", ev.Kind,
			"client", ev.ClientID, "device", ev.DeviceID, "err", err)
	}
}
