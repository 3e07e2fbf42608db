package runner

import (
	"context"
	"net/http"
	"time"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/module"
)

// HealthTimeout bounds one module's Health call.
const HealthTimeout = 2 * time.Second

type healthReport struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// health asks every live module implementing module.HealthChecker.
func (rt *Runtime) health(ctx context.Context) (bool, healthReport) {
	rep := healthReport{Status: "ok", Checks: map[string]string{}}
	ok := true
	for _, u := range rt.liveUnits() {
		h, is := u.mod.(module.HealthChecker)
		if !is {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, HealthTimeout)
		err := h.Health(cctx)
		cancel()
		if err != nil {
			ok = false
			rep.Checks[u.path] = err.Error()
		} else {
			rep.Checks[u.path] = "ok"
		}
	}
	if !ok {
		rep.Status = "unhealthy"
	}
	return ok, rep
}

func (rt *Runtime) liveUnits() []*unit {
	if !rt.started.Load() {
		return nil
	}
	return rt.live
}

// systemEndpoints are the host's own: liveness and readiness.
func (rt *Runtime) systemEndpoints() []endpoint.Endpoint {
	return []endpoint.Endpoint{
		{Method: http.MethodGet, Route: "/healthz", Name: "healthz", Handler: func(ctx context.Context, _ *endpoint.Request) (*endpoint.Response, error) {
			ok, rep := rt.health(ctx)
			return endpoint.Encode(statusFor(ok), rep)
		}},
		{Method: http.MethodGet, Route: "/readyz", Name: "readyz", Handler: func(ctx context.Context, _ *endpoint.Request) (*endpoint.Response, error) {
			if !rt.started.Load() {
				return endpoint.Encode(http.StatusServiceUnavailable, healthReport{Status: "starting"})
			}
			ok, rep := rt.health(ctx)
			if ok {
				rep.Status = "ready"
			}
			return endpoint.Encode(statusFor(ok), rep)
		}},
	}
}

func statusFor(ok bool) int {
	if ok {
		return http.StatusOK
	}
	return http.StatusServiceUnavailable
}
