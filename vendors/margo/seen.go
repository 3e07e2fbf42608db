package margo

import (
	"context"
	"time"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/fleet"
)

// seen is the middleware, run after authentication, that keeps the
// client's LastSeen (shown on the operator API) to within
// fleet.SeenResolution: a client polling every few seconds costs one store
// write a minute. Failing to record it is logged, never returned.
func (v *Vendor) seen(next endpoint.Handler) endpoint.Handler {
	return func(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
		if c, ok := ClientFrom(ctx); ok {
			if now := v.now(); now.Sub(c.LastSeen) >= fleet.SeenResolution {
				if err := v.onboarding.Seen(ctx, c.ID, now); err != nil {
					v.log.WarnContext(ctx, "recording when a client was last seen failed", "clientId", c.ID, "err", err)
				}
			}
		}
		return next(ctx, req)
	}
}

// now is the vendor's clock (the signature verifier's when set).
func (v *Vendor) now() time.Time {
	if v.verifier.Now != nil {
		return v.verifier.Now()
	}
	return time.Now()
}
