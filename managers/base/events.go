package base

import (
	"context"
	"encoding/json"
	"time"
)

// publishTimeout bounds how long a change waits for a full event queue.
const publishTimeout = 2 * time.Second

// Publish sends ev, JSON-encoded, on topic when an event bus is bound (nil
// otherwise). The caller logs a failure only: the change it reports is
// already committed.
func (b *Manager) Publish(ctx context.Context, topic string, ev any) error {
	if b.Bus == nil {
		return nil
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	_, err = b.Bus.Publish(pctx, topic, data, nil)
	return err
}
