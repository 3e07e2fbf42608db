package fleet

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
)

// maxRolloutBody bounds a deployment request (a target may list 10,000 devices).
const maxRolloutBody = 2 << 20

// rolloutEndpoints are the routes of operator deployments (fleet.Rollouts)
// under prefix p.
func (v *Vendor) rolloutEndpoints(p string) []endpoint.Endpoint {
	one := p + "/deployments/{id}"
	return []endpoint.Endpoint{
		{Method: http.MethodPost, Route: p + "/deployments", Name: "fleet.rollouts.create", Handler: v.createRollout, MaxBody: maxRolloutBody},
		{Method: http.MethodGet, Route: p + "/deployments", Name: "fleet.rollouts.list", Handler: v.listRollouts},
		{Method: http.MethodGet, Route: one, Name: "fleet.rollouts.get", Handler: v.getRollout},
		{Method: http.MethodPatch, Route: one, Name: "fleet.rollouts.update", Handler: v.updateRollout, MaxBody: maxRolloutBody},
		{Method: http.MethodDelete, Route: one, Name: "fleet.rollouts.delete", Handler: v.deleteRollout},
		{Method: http.MethodGet, Route: one + "/devices", Name: "fleet.rollouts.devices", Handler: v.rolloutDevices},
		{Method: http.MethodGet, Route: p + "/eligibility", Name: "fleet.eligibility", Handler: v.explain},
	}
}

// createRollout serves POST /deployments: 201 with the deployment, its
// summary and a Location, once every targeted device's manifest is ready.
func (v *Vendor) createRollout(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	var spec fleet.RolloutSpec
	if err := endpoint.Decode(req, &spec); err != nil {
		return nil, err
	}
	r, err := v.rollouts.Create(ctx, spec)
	if err != nil {
		return nil, err
	}
	v.log.Info("deployment created by operator", "deployment", r.ID, "application", r.Application, "version", r.Version)
	resp, err := rolloutResponse(http.StatusCreated, r)
	if err == nil {
		resp.Metadata.Set("Location", v.cfg.Prefix+"/deployments/"+url.PathEscape(r.ID))
	}
	return resp, err
}

// listRollouts serves GET /deployments[?application=][&clientId=], paged.
func (v *Vendor) listRollouts(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	page, err := pageOf(req)
	if err != nil {
		return nil, err
	}
	items, next, err := v.rollouts.Rollouts(ctx, fleet.RolloutFilter{Application: req.Query.Get("application"), ClientID: req.Query.Get("clientId")}, page)
	if err != nil {
		return nil, err
	}
	return listResponse(items, next)
}

// getRollout serves GET /deployments/{id}, with the generation as its ETag
// (for If-Match on PATCH).
func (v *Vendor) getRollout(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	r, err := v.rollouts.Rollout(ctx, req.Param("id"))
	if err != nil {
		return nil, err
	}
	return rolloutResponse(http.StatusOK, r)
}

// rolloutResponse is r as JSON with its generation as the ETag.
func rolloutResponse(status int, r fleet.Rollout) (*endpoint.Response, error) {
	resp, err := endpoint.Encode(status, r)
	if err == nil {
		resp.Metadata.Set("ETag", strconv.Quote(strconv.FormatUint(r.Generation, 10)))
	}
	return resp, err
}

// ifGeneration reads If-Match: absent (0), or one quoted generation as the
// ETag of GET /deployments/{id} gives it; anything else is 400.
func ifGeneration(req *endpoint.Request) (uint64, error) {
	h := strings.TrimSpace(req.Metadata.Get("if-match"))
	if h == "" {
		return 0, nil
	}
	if u, err := strconv.Unquote(h); err == nil {
		if g, err := strconv.ParseUint(u, 10, 64); err == nil && g > 0 {
			return g, nil
		}
	}
	return 0, fault.New(fault.BadRequest, "If-Match %.40q must be the ETag of GET /deployments/{id}: its generation in quotes, like \"3\"", h)
}

// updateRollout serves PATCH /deployments/{id}: any of version, profile,
// parameters and target, each replacing the current one; with If-Match (the
// ETag of a GET), only while the deployment is still at that generation
// (412 otherwise).
func (v *Vendor) updateRollout(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	var patch fleet.RolloutPatch
	if err := endpoint.Decode(req, &patch); err != nil {
		return nil, err
	}
	var err error
	if patch.IfGeneration, err = ifGeneration(req); err != nil {
		return nil, err
	}
	r, err := v.rollouts.Update(ctx, req.Param("id"), patch)
	if err != nil {
		return nil, err
	}
	v.log.Info("deployment updated by operator", "deployment", r.ID, "generation", r.Generation)
	return rolloutResponse(http.StatusOK, r)
}

// deleteRollout serves DELETE /deployments/{id}: 202 while the devices
// remove their deployments, 204 once it is gone (they all reported their
// deployments removed; deleting again then drops it, as the manager's next
// reconcile would); with ?forget=true, 204 at once, everything dropped (for
// devices that will never report back).
func (v *Vendor) deleteRollout(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	forget, err := flag(req, "forget")
	if err != nil {
		return nil, err
	}
	id := req.Param("id")
	gone, err := v.rollouts.Delete(ctx, id, forget)
	if err != nil {
		return nil, err
	}
	v.log.Info("deployment deleted by operator", "deployment", id, "forget", forget, "gone", gone)
	if gone {
		return endpoint.Status(http.StatusNoContent), nil
	}
	resp := endpoint.Status(http.StatusAccepted)
	resp.Metadata.Set("Location", v.cfg.Prefix+"/deployments/"+url.PathEscape(id)+"/devices")
	return resp, nil
}

// rolloutDevices serves GET /deployments/{id}/devices: where the deployment
// stands on each targeted device, paged.
func (v *Vendor) rolloutDevices(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	page, err := pageOf(req)
	if err != nil {
		return nil, err
	}
	items, next, err := v.rollouts.Placements(ctx, req.Param("id"), page)
	if err != nil {
		return nil, err
	}
	return listResponse(items, next)
}

// explain serves GET /eligibility?application=&clientId=&deviceId=[&version=][&profile=].
func (v *Vendor) explain(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	q := req.Query
	var missing []fault.Violation
	for _, k := range []string{"application", "clientId", "deviceId"} {
		if q.Get(k) == "" {
			missing = append(missing, fault.Violation{Field: k, Message: "is a required query parameter"})
		}
	}
	if len(missing) > 0 {
		return nil, fault.New(fault.BadRequest, "GET /eligibility needs application, clientId and deviceId").WithViolations(missing)
	}
	e, err := v.rollouts.Explain(ctx, q.Get("application"), q.Get("version"), q.Get("profile"),
		fleet.DeviceRef{ClientID: q.Get("clientId"), DeviceID: q.Get("deviceId")})
	if err != nil {
		return nil, err
	}
	return endpoint.Encode(http.StatusOK, e)
}
