package base

import (
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// MaxIDLen bounds client and record ids, keeping every key well under the
// state key limit.
const MaxIDLen = 200

// ValidID reports whether s can be a client or record id: 1 to MaxIDLen
// RFC 3986 unreserved characters, not a dot segment. Such ids need no
// escaping in URLs or keys.
func ValidID(s string) bool { return len(s) <= MaxIDLen && document.IsURLSafeID(s) }

// CheckClient rejects a malformed client id with a 400 of type
// invalid-client (a caller's bug: vendors pass authenticated ids).
func CheckClient(client string) error {
	if !ValidID(client) {
		return fault.New(fault.BadRequest, "invalid client id %q", client).WithType(document.ProblemInvalidClient)
	}
	return nil
}
