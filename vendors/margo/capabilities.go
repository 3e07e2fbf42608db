package margo

import (
	"context"
	"net/http"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// reportCapabilities serves POST and PUT {prefix}/clients/{clientId}/capabilities
// (withDevice false: the earliest P1 route, where properties.id names the
// device) and .../capabilities/{deviceId...}. The body is a P1
// DeviceCapabilitiesManifest: 400 when it does not parse, 422 listing every
// violation (including properties.id differing from the path id). The
// manager's 404 (a child reported before its gateway) and 422 pass through.
// P1 answers 201 for a create and an update alike.
func (v *Vendor) reportCapabilities(withDevice bool) endpoint.Handler {
	return func(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
		deviceID := ""
		if withDevice {
			deviceID = req.Param("deviceId")
			if err := checkDeviceID(deviceID); err != nil {
				return nil, err
			}
		}
		if err := requireJSON(req); err != nil {
			return nil, err
		}
		doc, err := document.ParseCapabilities(req.Body)
		if err != nil {
			return nil, err
		}
		if err := document.Unprocessable(document.ValidateCapabilities(doc, deviceID)); err != nil {
			return nil, err
		}
		clientID := req.Param("clientId")
		if _, err := v.caps.Report(ctx, clientID, deviceID, doc, req.Body); err != nil {
			return nil, typed(err, fault.Unprocessable, document.ProblemSemanticError)
		}
		return jsonBody(http.StatusCreated, `{"status":"capabilities_received"}`), nil
	}
}

// removeDevice serves DELETE {prefix}/clients/{clientId}/capabilities/{deviceId...}:
// 204, or the manager's 404 for an unknown device.
func (v *Vendor) removeDevice(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	deviceID := req.Param("deviceId")
	if err := checkDeviceID(deviceID); err != nil {
		return nil, err
	}
	if err := v.caps.Remove(ctx, req.Param("clientId"), deviceID); err != nil {
		return nil, err
	}
	return endpoint.NoContent(), nil
}

// checkDeviceID accepts id(/id)*: non-empty segments, never "." or "..".
func checkDeviceID(id string) error {
	if id == "" {
		return problem(fault.BadRequest, document.ProblemInvalidRequest, "the device id in the path is empty")
	}
	for seg := range strings.SplitSeq(id, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return problem(fault.BadRequest, document.ProblemInvalidRequest, "device id %.80q: segments must be non-empty and not \".\" or \"..\"", id)
		}
	}
	return nil
}
