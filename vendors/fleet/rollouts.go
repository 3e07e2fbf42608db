package operator

import (
	"context"
	"net/http"
	"net/url"

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
	resp, err := endpoint.Encode(http.StatusCreated, r)
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

// getRollout serves GET /deployments/{id}.
func (v *Vendor) getRollout(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	r, err := v.rollouts.Rollout(ctx, req.Param("id"))
	if err != nil {
		return nil, err
	}
	return endpoint.Encode(http.StatusOK, r)
}

// updateRollout serves PATCH /deployments/{id}: any of version, profile,
// parameters and target, each replacing the current one.
func (v *Vendor) updateRollout(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	var patch fleet.RolloutPatch
	if err := endpoint.Decode(req, &patch); err != nil {
		return nil, err
	}
	r, err := v.rollouts.Update(ctx, req.Param("id"), patch)
	if err != nil {
		return nil, err
	}
	v.log.Info("deployment updated by operator", "deployment", r.ID, "generation", r.Generation)
	return endpoint.Encode(http.StatusOK, r)
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
