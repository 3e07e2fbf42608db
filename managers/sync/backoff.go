package sync

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/cadenza-edge/cadenza/margo/client"
)

// maxRetryAfter caps a Retry-After the WFM asks for, so a bogus value
// cannot silence the agent for days.
const maxRetryAfter = time.Hour

// newBackoff is the agent's retry schedule: exponential from the poll
// interval up to max, with ±50% jitter so a fleet that lost its WFM at the
// same moment does not come back in lockstep.
func newBackoff(initial, maxInterval time.Duration) *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = initial
	b.MaxInterval = maxInterval
	b.Multiplier = 2
	b.RandomizationFactor = 0.5
	b.Reset()
	return b
}

// retryDelay is the delay before retry number attempts (1-based) of a
// failed deployment, on the same schedule as newBackoff.
func retryDelay(initial, maxInterval time.Duration, attempts int) time.Duration {
	b := newBackoff(initial, maxInterval)
	d := b.NextBackOff()
	for i := 1; i < min(attempts, 32); i++ {
		d = b.NextBackOff()
	}
	return d
}

// commFailed records a failed exchange with the WFM: the next one waits for
// the backoff delay, or for the WFM's Retry-After when that is longer.
// Inside a downtime window communication errors are ignored: they are
// expected, so they neither back off nor count as errors.
func (m *Manager) commFailed(ctx context.Context, what string, err error) {
	now := m.now()
	if m.sched.down(now) {
		m.log.Debug("communication error during downtime ignored", "during", what, "err", err)
		return
	}
	if ctx.Err() != nil {
		return // stopping: not the WFM's fault
	}
	d := m.bo.NextBackOff()
	var ce *client.Error
	if errors.As(err, &ce) && ce.RetryAfter > d {
		d = min(ce.RetryAfter, maxRetryAfter)
	}
	m.retryAt = now.Add(d)
	msg := "cannot reach the WFM; the agent keeps its workloads and queues its reports, and retries after a backoff"
	if ce != nil && (ce.Status == 401 || ce.Status == 403) {
		msg = "the WFM refuses this device (is its client revoked, rejected or awaiting approval?); the agent keeps its workloads and retries after a backoff"
	}
	m.log.Warn(msg, "during", what, "err", err, "retryIn", d.Round(time.Millisecond).String(), "wfm", m.cfg.WFM.URL)
	m.recordError(ctx, ErrorRecord{Kind: what, Code: codeOf(err), Message: err.Error()})
}

// commOK records a successful exchange: the backoff starts over.
func (m *Manager) commOK() {
	if !m.retryAt.IsZero() {
		m.log.Info("the WFM is reachable again")
	}
	m.bo.Reset()
	m.retryAt = time.Time{}
}
