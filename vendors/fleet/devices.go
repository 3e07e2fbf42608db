package fleet

import (
	"context"
	"net/http"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/eligibility"
)

// historySuffix selects a device's capabilities history.
const historySuffix = "/history"

// maxLabelBody bounds a label patch.
const maxLabelBody = 64 << 10

// listDevices serves GET /devices[?clientId=][&label=k=v|k ...]: devices in
// id order, paged. Label filters are ANDed over the effective labels (see
// labelFilters). A filtered page is filled by reading on, so it is short
// only at the end.
func (v *Vendor) listDevices(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	page, err := pageOf(req)
	if err != nil {
		return nil, err
	}
	filters, err := labelFilters(req.Query["label"])
	if err != nil {
		return nil, err
	}
	client := req.Query.Get("clientId")
	if filters.Empty() {
		items, next, err := v.caps.Devices(ctx, client, page)
		if err != nil {
			return nil, err
		}
		return listResponse(items, next)
	}
	// Each read asks for as many devices as are still wanted, so the page
	// ends on a cursor the store gave.
	var out []fleet.Device
	for {
		items, next, err := v.caps.Devices(ctx, client, fleet.Page{After: page.After, Limit: page.Limit - len(out)})
		if err != nil {
			return nil, err
		}
		for _, d := range items {
			if filters.Matches(d.EffectiveLabels()) {
				out = append(out, d)
			}
		}
		if next == "" || len(out) == page.Limit {
			return listResponse(out, next)
		}
		page.After = next
	}
}

// labelFilters reads ?label= values (KEY=VALUE or KEY) as the label
// selector deployments use, so a listing by label and a deployment's
// target match the same devices: KEY=VALUE a label equal to VALUE (numbers
// numerically; a list label when an element is), KEY a label that exists.
func labelFilters(raw []string) (eligibility.LabelSelector, error) {
	var sel eligibility.LabelSelector
	for _, s := range raw {
		k, val, has := strings.Cut(s, "=")
		switch {
		case k == "":
			return sel, fault.New(fault.BadRequest, "label filter %.80q must be KEY=VALUE or KEY", s)
		case has:
			if sel.MatchLabels == nil {
				sel.MatchLabels = map[string]any{}
			}
			sel.MatchLabels[k] = val
		default:
			sel.MatchExpressions = append(sel.MatchExpressions, application.Expression{Key: k, Operator: application.OpExists})
		}
	}
	return sel, nil
}

// getDevice serves GET /clients/{clientId}/devices/{deviceId...}: the
// device's latest capabilities, or with a literal "/history" suffix its
// past reports, newest first (?limit=). The suffix is recognised in the path
// as sent, so "gw%2Fhistory" names the device "gw/history".
func (v *Vendor) getDevice(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	clientID, deviceID := req.Param("clientId"), req.Param("deviceId")
	history := strings.HasSuffix(req.Path, historySuffix) && len(deviceID) > len(historySuffix)
	if history {
		deviceID = strings.TrimSuffix(deviceID, historySuffix)
	}
	d, err := v.caps.Device(ctx, clientID, deviceID)
	if err != nil {
		return nil, err
	}
	if !history {
		return endpoint.Encode(http.StatusOK, d)
	}
	limit, err := limitOf(req)
	if err != nil {
		return nil, err
	}
	items, err := v.caps.History(ctx, clientID, deviceID, limit)
	if err != nil {
		return nil, err
	}
	return listResponse(items, "")
}

// patchDevice serves PATCH /clients/{clientId}/devices/{deviceId...}: a JSON
// merge patch of the operator's labels ({"labels": {"k": "v", "gone": null}}).
func (v *Vendor) patchDevice(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	var body fleet.LabelPatch
	if err := endpoint.Decode(req, &body); err != nil {
		return nil, err
	}
	if body.Labels == nil {
		return nil, fault.New(fault.BadRequest, `the body must be {"labels": {...}}: a merge patch of the device's labels`)
	}
	clientID, deviceID := req.Param("clientId"), req.Param("deviceId")
	d, err := v.caps.SetLabels(ctx, clientID, deviceID, body.Labels)
	if err != nil {
		return nil, err
	}
	v.log.Info("device labels changed by operator", "clientId", clientID, "deviceId", deviceID)
	return endpoint.Encode(http.StatusOK, d)
}
