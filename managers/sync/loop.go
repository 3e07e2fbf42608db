package sync

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"
)

// minWait keeps the loop from spinning when several deadlines coincide.
const minWait = 5 * time.Millisecond

// run is the agent's loop: one step, then wait until the next thing is
// due, a Sync request, or the end. It is the only goroutine that changes
// the agent's state, so steps never race each other.
func (m *Manager) run(ctx context.Context) {
	defer close(m.done)
	for {
		wait := m.stepSafe(ctx)
		if ctx.Err() != nil {
			m.log.Info("device agent loop stopped")
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			m.log.Info("device agent loop stopped")
			return
		case <-m.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// stepSafe runs one step; a panic is logged with its stack and the step is
// retried after a backoff instead of killing the agent.
func (m *Manager) stepSafe(ctx context.Context) (wait time.Duration) {
	defer func() {
		if p := recover(); p != nil {
			m.log.Error("device agent step panicked; retrying after a backoff (please report this bug)", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			wait = m.link.bo.NextBackOff()
		}
	}()
	return m.step(ctx)
}

// step does everything that is due, in order: trust and onboarding,
// capabilities, the manifest poll, the reconcile of the accepted state, and
// the delivery of queued status reports. It returns how long to wait.
func (m *Manager) step(ctx context.Context) time.Duration {
	now := m.now()
	if m.link.mayTalk(now) {
		if err := m.link.ensure(ctx); err != nil {
			m.link.setupFailed(ctx, err)
		}
	}
	if m.link.ready(now) {
		m.caps.check(ctx)
	}
	if m.link.client != nil && m.pollDue(now) {
		m.poller.poll(ctx)
	} else if !m.sched.mayPoll(now) {
		m.board.setPollSkipped(m.sched.down(now))
	}
	if ctx.Err() == nil {
		m.recon.reconcile(ctx, m.poller.target)
	}
	if ctx.Err() == nil {
		m.queue.flush(ctx)
	}
	return m.nextWait()
}

// pollDue reports whether a manifest poll should run at now.
func (m *Manager) pollDue(now time.Time) bool {
	if !m.sched.mayPoll(now) {
		return false
	}
	if m.board.takeSyncRequest() {
		return true
	}
	return !now.Before(m.poller.nextPoll) && !now.Before(m.link.retryAt)
}

// nextWait is the time until the next poll, retry or deployment retry,
// at most one poll interval.
func (m *Manager) nextWait() time.Duration {
	now := m.now()
	wait := m.cfg.PollInterval.D()
	at := m.poller.nextPoll
	if m.link.retryAt.After(at) {
		at = m.link.retryAt
	}
	if d := at.Sub(now); d < wait {
		wait = d
	}
	if r := m.recon.nextDeploymentRetry(); !r.IsZero() {
		if d := r.Sub(now); d < wait {
			wait = d
		}
	}
	return max(wait, minWait)
}
