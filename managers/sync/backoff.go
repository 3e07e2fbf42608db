package sync

import (
	"time"

	"github.com/cenkalti/backoff/v5"
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
