package margo

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// The rc.3 (MIAF) device API, served beside P1 when a managers.identity is
// among the vendor's managers: the caller is identified by its X.509-SVID
// alone (SVIDAuth), so the routes carry no {clientId}, and every error is
// problem+json in the rc.3 registry with retryable and backoffStrategy.

// rc3Endpoints are the rc.3 routes under the vendor's prefix.
func (v *Vendor) rc3Endpoints() []endpoint.Endpoint {
	p := v.cfg.Prefix
	auth := func(h endpoint.Handler) endpoint.Handler { return p2Problems(Authenticated(v.svidAuth)(v.seen(h))) }
	device := p + "/capabilities/{deviceId:*}"
	deps := p + "/deployments"
	return []endpoint.Endpoint{
		{Method: http.MethodPut, Route: device, Name: "margo.rc3.capabilities.report", Handler: auth(v.reportCapabilitiesRC3), MaxBody: maxCapabilitiesBody},
		{Method: http.MethodDelete, Route: device, Name: "margo.rc3.capabilities.remove", Handler: auth(v.removeDeviceRC3)},
		{Method: http.MethodGet, Route: deps, Name: "margo.rc3.manifest", Handler: auth(v.manifestRC3)},
		{Method: http.MethodGet, Route: deps + "/{deploymentId}/{digest}", Name: "margo.rc3.deployment", Handler: auth(asClient(privately(v.deploymentYAML)))},
		{Method: http.MethodPost, Route: deps + "/{deploymentId}/status", Name: "margo.rc3.status", Handler: auth(v.reportStatusRC3), MaxBody: maxStatusBody},
		{Method: http.MethodGet, Route: p + "/bundles/{digest}", Name: "margo.rc3.bundle", Handler: auth(asClient(privately(v.bundle)))},
	}
}

// asClient puts the authenticated client's id where the P1 handlers read
// it (the {clientId} route parameter rc.3 routes do not have): the
// deployment and bundle lookups are then scoped to the caller.
func asClient(next endpoint.Handler) endpoint.Handler {
	return func(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
		c, _ := ClientFrom(ctx)
		params := make(map[string]string, len(req.Params)+1)
		for k, v := range req.Params {
			params[k] = v
		}
		params["clientId"] = c.ID
		r := *req
		r.Params = params
		return next(ctx, &r)
	}
}

// privately makes an artifact answer cacheable by the device only, as rc.3
// says (P1 marks them public).
func privately(next endpoint.Handler) endpoint.Handler {
	return func(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
		resp, err := next(ctx, req)
		if err == nil && resp != nil && resp.Metadata.Has("cache-control") {
			resp.Metadata.Set("cache-control", "private, max-age=31536000, immutable")
		}
		return resp, err
	}
}

// rc3ManifestCache bounds the rc.3 renderings of stored manifests kept
// (by client and stored ETag: a manifest never changes under its ETag), so
// a 304 poll neither parses nor renders.
const rc3ManifestCache = 4096

// manifestRC3 serves GET {prefix}/deployments: the caller's manifest, its
// artifact URLs in the rc.3 form ({prefix}/deployments/{id}/{digest},
// {prefix}/bundles/{digest}), with its own ETag, Cache-Control: private,
// 304 and 406 as in P1.
func (v *Vendor) manifestRC3(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	c, _ := ClientFrom(ctx)
	p1 := v.cfg.Prefix + "/clients/" + c.ID + "/"
	return v.serveManifest(ctx, req, c.ID, func(etag string, body []byte) ([]byte, error) {
		key := c.ID + "\n" + etag
		if etag != "" {
			if out, ok := v.rc3Manifests.Get(key); ok {
				return out, nil
			}
		}
		out, err := rc3Manifest(body, p1, v.cfg.Prefix)
		if err == nil && etag != "" {
			v.rc3Manifests.Add(key, out)
		}
		return out, err
	})
}

// rc3Manifest renders a stored (P1) manifest body in the rc.3 form.
func rc3Manifest(body []byte, p1, prefix string) ([]byte, error) {
	m, err := document.ParseManifest(body)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "a stored manifest does not parse")
	}
	for i := range m.Deployments {
		m.Deployments[i].URL = rc3URL(m.Deployments[i].URL, p1, prefix)
	}
	if m.Bundle != nil {
		m.Bundle.URL = rc3URL(m.Bundle.URL, p1, prefix)
	}
	return m.Canonical()
}

// rc3URL turns a P1 artifact URL ({prefix}/clients/{id}/...) into the rc.3
// one ({prefix}/...).
func rc3URL(u, p1, prefix string) string {
	if rest, ok := strings.CutPrefix(u, p1); ok {
		return prefix + "/" + rest
	}
	return u
}

// reportStatusRC3 serves POST {prefix}/deployments/{deploymentId}/status:
// an rc.3 DeploymentStatusManifest, which must carry adoptedManifestVersion
// (and may carry deviceId); otherwise as in P1: 200.
func (v *Vendor) reportStatusRC3(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	if err := requireJSON(req); err != nil {
		return nil, err
	}
	deploymentID := req.Param("deploymentId")
	s, err := document.ParseStatusP2(req.Body)
	if err != nil {
		return nil, err
	}
	if err := document.Unprocessable(document.ValidateStatus(s, deploymentID, nil)); err != nil {
		return nil, err
	}
	c, _ := ClientFrom(ctx)
	if err := v.deployments.ReportStatus(ctx, c.ID, deploymentID, s, req.Body); err != nil {
		err = typed(err, fault.NotFound, document.ProblemDeploymentNotFound)
		return nil, typed(err, fault.Unprocessable, document.ProblemSemanticError)
	}
	return jsonBody(http.StatusOK, `{"acknowledgement":"received"}`), nil
}

// reportCapabilitiesRC3 serves PUT {prefix}/capabilities/{deviceId...}: an
// rc.3 capabilities document (no envelope): 201 when the device is new,
// 200 for an update; 400 when it does not parse, 422 listing every
// violation, 404 gateway-not-found for a child reported before its gateway.
func (v *Vendor) reportCapabilitiesRC3(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	deviceID := req.Param("deviceId")
	if err := checkDeviceID(deviceID); err != nil {
		return nil, err
	}
	if err := requireJSON(req); err != nil {
		return nil, err
	}
	doc, err := document.ParseCapabilitiesP2(req.Body)
	if err != nil {
		return nil, err
	}
	if err := document.Unprocessable(document.ValidateCapabilities(doc, deviceID)); err != nil {
		return nil, err
	}
	c, _ := ClientFrom(ctx)
	created, err := v.caps.Report(ctx, c.ID, deviceID, doc, req.Body)
	if err != nil {
		if fault.Is(err, fault.NotFound) {
			return nil, retype(err, document.ProblemGatewayNotFoundP2)
		}
		return nil, typed(err, fault.Unprocessable, document.ProblemSemanticError)
	}
	if created {
		return jsonBody(http.StatusCreated, `{"status":"created"}`), nil
	}
	return jsonBody(http.StatusOK, `{"status":"updated"}`), nil
}

// removeDeviceRC3 serves DELETE {prefix}/capabilities/{deviceId...}: 204, or
// 404 device-not-found.
func (v *Vendor) removeDeviceRC3(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	deviceID := req.Param("deviceId")
	if err := checkDeviceID(deviceID); err != nil {
		return nil, err
	}
	c, _ := ClientFrom(ctx)
	if err := v.caps.Remove(ctx, c.ID, deviceID); err != nil {
		if fault.Is(err, fault.NotFound) {
			return nil, retype(err, document.ProblemDeviceNotFound)
		}
		return nil, err
	}
	return endpoint.NoContent(), nil
}

// retype returns a copy of err's *fault.Error with the problem type uri.
func retype(err error, uri string) error {
	var fe *fault.Error
	if !errors.As(err, &fe) {
		return err
	}
	out := *fe
	out.Type = uri
	return &out
}

// p2Problems turns an endpoint's errors into rc.3 problems: the type in the
// rc.3 registry, and retryable with a backoffStrategy (true and
// "exponential", with retryAfterSeconds, for 429, 500 and 503, which carry
// Retry-After; false and "none" otherwise).
func p2Problems(next endpoint.Handler) endpoint.Handler {
	return func(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
		resp, err := next(ctx, req)
		if err == nil {
			return resp, nil
		}
		var fe *fault.Error
		if !errors.As(err, &fe) {
			fe = fault.Wrap(err, fault.CodeOf(err), "%v", err)
		}
		out := *fe
		out.Type = document.P2Type(fe.Type)
		ext := make(map[string]any, len(fe.Extensions)+3)
		for k, val := range fe.Extensions {
			ext[k] = val
		}
		switch out.Code {
		case fault.Unavailable, fault.TooManyRequests, fault.Internal:
			if out.RetryAfter <= 0 {
				out.RetryAfter = 1
			}
			ext["retryable"], ext["backoffStrategy"], ext["retryAfterSeconds"] = true, "exponential", out.RetryAfter
		default:
			ext["retryable"], ext["backoffStrategy"] = false, "none"
		}
		out.Extensions = ext
		return nil, &out
	}
}
