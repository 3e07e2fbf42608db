package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// followGroup is the consumer group of the capabilities events.
const followGroup = "managers.rollout"

// follower re-renders the rollouts soon after devices change: a device
// that registers, reports new capabilities or is relabelled may join or
// leave a rollout targeted by label, or fit another profile; a device
// reporting a deployment removed may complete a deletion. Events only
// mark the rollouts dirty; one render of every rollout runs at most once
// per delay, so a burst of thousands of events costs one pass.
type follower struct {
	m     *Manager
	delay time.Duration
	subs  []pubsub.Subscription
	dirty chan struct{}
	stop  context.CancelFunc
	done  sync.WaitGroup
}

// Start subscribes to the capabilities events when an event bus is bound
// and followDelay is positive.
func (m *Manager) Start(ctx context.Context) error {
	if m.base.Bus == nil || m.cfg.FollowDelay.D() <= 0 {
		return nil
	}
	f := &follower{m: m, delay: m.cfg.FollowDelay.D(), dirty: make(chan struct{}, 1)}
	sub, err := m.base.Bus.Subscribe(ctx, fleet.TopicCapabilities, followGroup, func(context.Context, pubsub.Message) error {
		f.mark()
		return nil
	})
	if err != nil {
		return err
	}
	// A device reporting a deployment removed may complete a deletion.
	removed, err := m.base.Bus.Subscribe(ctx, fleet.TopicDeployments, followGroup, func(_ context.Context, msg pubsub.Message) error {
		var ev fleet.DeploymentEvent
		if json.Unmarshal(msg.Data, &ev) == nil && ev.Kind == fleet.DeploymentStatus && ev.State == document.StateRemoved {
			f.mark()
		}
		return nil
	})
	if err != nil {
		return errors.Join(err, sub.Close(ctx))
	}
	f.subs = []pubsub.Subscription{sub, removed}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f.stop = cancel
	f.done.Add(1)
	go f.run(runCtx)
	m.follow = f
	return nil
}

// Close stops following.
func (m *Manager) Close(ctx context.Context) error {
	f := m.follow
	if f == nil {
		return nil
	}
	var err error
	for _, s := range f.subs {
		err = errors.Join(err, s.Close(ctx))
	}
	f.stop()
	f.done.Wait()
	return err
}

// mark makes the follower render once more.
func (f *follower) mark() {
	select {
	case f.dirty <- struct{}{}:
	default: // already marked
	}
}

// run renders every rollout after each dirty mark, then waits the delay
// before the next.
func (f *follower) run(ctx context.Context) {
	defer f.done.Done()
	t := time.NewTimer(0)
	defer t.Stop()
	<-t.C
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.dirty:
		}
		if err := f.m.Reconcile(ctx); err != nil && ctx.Err() == nil {
			f.m.base.Log.WarnContext(ctx, "following device changes failed", "err", err)
		}
		if f.m.followed != nil {
			f.m.followed <- struct{}{}
		}
		t.Reset(f.delay)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
