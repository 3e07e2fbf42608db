package operator

import (
	"context"
	"net/http"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
)

// historySuffix selects a device's capabilities history.
const historySuffix = "/history"

// listDevices serves GET /devices[?clientId=]: devices in id order, paged.
func (v *Vendor) listDevices(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	page, err := pageOf(req)
	if err != nil {
		return nil, err
	}
	items, next, err := v.caps.Devices(ctx, req.Query.Get("clientId"), page)
	if err != nil {
		return nil, err
	}
	return listResponse(items, next)
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
