package capabilities

import (
	"strconv"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// badDeviceID is the 422 for a device id that is not id(/id)*.
func badDeviceID(device string) error {
	return document.Unprocessable([]fault.Violation{{Field: "properties.id",
		Message: "must be a device id: one or more ids of RFC 3986 unreserved characters separated by / (got " + quote(device) + ")"}})
}

// deviceNotFound is the 404 for an unknown device.
func deviceNotFound(client, device string) error {
	return fault.New(fault.NotFound, "client %s has no device %s", client, device).WithType(document.ProblemDeviceNotFound)
}

// gatewayNotFound is the 404 for a child reported before its gateway.
func gatewayNotFound(client, device, gateway string) error {
	return fault.New(fault.NotFound, "device %s of client %s is reported before its gateway %s", device, client, gateway).WithType(document.ProblemInvalidClient)
}

// quote renders a value for a message, shortened.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return strconv.Quote(strings.ToValidUTF8(s, "\uFFFD"))
}
