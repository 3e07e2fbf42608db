package capabilities

import (
	"strconv"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// Problem type URIs of the 404s this manager returns.
const (
	// ProblemInvalidClient (P1 registry) is the 404 for a client id that
	// cannot exist and for a child reported before its gateway.
	ProblemInvalidClient = "https://docs.margo.org/specification/problems/invalid-client"
	// ProblemDeviceNotFound is the 404 for an unknown device.
	ProblemDeviceNotFound = "https://docs.margo.org/specification/problems/device-not-found"
)

// Bounds of ids, keeping every key well under the state key limit.
const (
	maxIDLen       = 200
	maxDeviceIDLen = 600
)

// validID reports whether s is 1 to maxIDLen RFC 3986 unreserved
// characters and not a dot segment.
func validID(s string) bool {
	if s == "" || len(s) > maxIDLen || s == "." || s == ".." {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// validDeviceID reports whether s is id(/id)*, each id a validID.
func validDeviceID(s string) bool {
	if len(s) > maxDeviceIDLen {
		return false
	}
	for seg := range strings.SplitSeq(s, "/") {
		if !validID(seg) {
			return false
		}
	}
	return true
}

// checkClient rejects a malformed client id (a caller's bug: vendors pass
// authenticated ids).
func checkClient(client string) error {
	if !validID(client) {
		return fault.New(fault.BadRequest, "invalid client id %q", client).WithType(ProblemInvalidClient)
	}
	return nil
}

// badDeviceID is the 422 for a device id that is not id(/id)*.
func badDeviceID(device string) error {
	return document.Unprocessable([]fault.Violation{{Field: "properties.id",
		Message: "must be a device id: one or more ids of RFC 3986 unreserved characters separated by / (got " + quote(device) + ")"}})
}

// deviceNotFound is the 404 for an unknown device.
func deviceNotFound(client, device string) error {
	return fault.New(fault.NotFound, "client %s has no device %s", client, device).WithType(ProblemDeviceNotFound)
}

// gatewayNotFound is the 404 for a child reported before its gateway.
func gatewayNotFound(client, device, gateway string) error {
	return fault.New(fault.NotFound, "device %s of client %s is reported before its gateway %s", device, client, gateway).WithType(ProblemInvalidClient)
}

// quote renders a value for a message, shortened.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return strconv.Quote(strings.ToValidUTF8(s, "\uFFFD"))
}
