package base

import (
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
	"strings"
)

// MaxIDLen bounds client and record ids, keeping every key well under the
// state key limit.
const MaxIDLen = 200

// ValidID reports whether s can be a client or record id: 1 to MaxIDLen
// RFC 3986 unreserved characters, not a dot segment. Such ids need no
// escaping in URLs or keys.
func ValidID(s string) bool { return len(s) <= MaxIDLen && document.IsURLSafeID(s) }

// MaxDeviceIDLen bounds device ids (up to three MaxIDLen ids), keeping
// every key well under the state key limit.
const MaxDeviceIDLen = 600

// ValidDeviceID reports whether s can be a device id: id(/id)*, each id a
// ValidID, at most MaxDeviceIDLen in all.
func ValidDeviceID(s string) bool {
	if len(s) > MaxDeviceIDLen || !document.IsDeviceID(s) {
		return false
	}
	for seg := range strings.SplitSeq(s, "/") {
		if len(seg) > MaxIDLen {
			return false
		}
	}
	return true
}

// CheckClient rejects a malformed client id with a 400 of type
// invalid-client (a caller's bug: vendors pass authenticated ids).
func CheckClient(client string) error {
	if !ValidID(client) {
		return fault.New(fault.BadRequest, "invalid client id %q", client).WithType(document.ProblemInvalidClient)
	}
	return nil
}
