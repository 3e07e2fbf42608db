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
			wait = m.bo.NextBackOff()
		}
	}()
	return m.step(ctx)
}

// step does everything that is due, in order: trust and onboarding,
// capabilities, the manifest poll, the reconcile of the accepted state, and
// the delivery of queued status reports. It returns how long to wait.
func (m *Manager) step(ctx context.Context) time.Duration {
	now := m.now()
	down := m.sched.down(now)
	if !down && !now.Before(m.retryAt) {
		if err := m.ensureClient(ctx); err != nil {
			m.setupFailed(ctx, err)
		}
	}
	if m.client != nil && !down && !now.Before(m.retryAt) {
		m.checkCapabilities(ctx)
	}
	if m.client != nil && m.pollDue(now) {
		m.poll(ctx)
	} else if !m.sched.mayPoll(now) {
		m.setPollSkipped(down)
	}
	if ctx.Err() == nil {
		m.reconcile(ctx)
	}
	if ctx.Err() == nil {
		m.flush(ctx)
	}
	return m.nextWait()
}

// pollDue reports whether a manifest poll should run at now.
func (m *Manager) pollDue(now time.Time) bool {
	if !m.sched.mayPoll(now) {
		return false
	}
	if m.takeSyncRequest() {
		return true
	}
	return !now.Before(m.nextPoll) && !now.Before(m.retryAt)
}

// takeSyncRequest consumes a pending Sync request.
func (m *Manager) takeSyncRequest() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.rt.syncRequested
	m.rt.syncRequested = false
	return r
}

// nextWait is the time until the next poll, retry or deployment retry,
// at most one poll interval.
func (m *Manager) nextWait() time.Duration {
	now := m.now()
	wait := m.cfg.PollInterval.D()
	at := m.nextPoll
	if m.retryAt.After(at) {
		at = m.retryAt
	}
	if d := at.Sub(now); d < wait {
		wait = d
	}
	if r := m.nextDeploymentRetry(); !r.IsZero() {
		if d := r.Sub(now); d < wait {
			wait = d
		}
	}
	return max(wait, minWait)
}

// setupFailed handles a failed trust or onboarding step: a condition only
// an operator can fix is logged as such (and shown by Health), anything
// else is a communication failure; both are retried after a backoff.
func (m *Manager) setupFailed(ctx context.Context, err error) {
	m.mu.Lock()
	blocked := m.rt.Blocked
	m.mu.Unlock()
	if blocked == "" || ctx.Err() != nil {
		m.commFailed(ctx, "onboarding", err)
		return
	}
	d := m.bo.NextBackOff()
	m.retryAt = m.now().Add(d)
	m.log.Error("device agent cannot onboard until an operator acts; retrying", "problem", blocked, "retryIn", d.Round(time.Millisecond).String())
	m.recordError(ctx, ErrorRecord{Kind: "onboarding", Code: codeOf(err), Message: err.Error()})
}
