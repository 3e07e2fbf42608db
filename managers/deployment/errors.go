package deployment

import (
	"github.com/cadenza-edge/cadenza/coa/fault"
)

// Problem type URIs of the P1 registry for the 404s this manager returns.
const (
	ProblemDeploymentNotFound = "https://docs.margo.org/specification/problems/deployment-not-found"
	ProblemInvalidBundle      = "https://docs.margo.org/specification/problems/invalid-bundle"
	ProblemInvalidClient      = "https://docs.margo.org/specification/problems/invalid-client"
)

// maxIDLen bounds client and deployment ids, keeping every key well under
// the state key limit.
const maxIDLen = 200

// validID reports whether s can be a client or deployment id: 1 to maxIDLen
// RFC 3986 unreserved characters, not a dot segment. Such ids need no
// escaping in URLs or keys.
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

// checkClient rejects a malformed client id (a caller's bug: vendors pass
// authenticated ids).
func checkClient(client string) error {
	if !validID(client) {
		return fault.New(fault.BadRequest, "invalid client id %q", client).WithType(ProblemInvalidClient)
	}
	return nil
}

// deploymentNotFound is the 404 for an unknown deployment or YAML.
func deploymentNotFound(client, id string) error {
	return fault.New(fault.NotFound, "client %s has no deployment %s", client, id).WithType(ProblemDeploymentNotFound)
}

// yamlNotFound is the 404 for a YAML digest the server cannot serve.
func yamlNotFound(client, id, digest string) error {
	return fault.New(fault.NotFound, "client %s has no YAML %s for deployment %s", client, digest, id).WithType(ProblemDeploymentNotFound)
}

// bundleNotFound is the 404 for a bundle digest the server cannot serve.
func bundleNotFound(client, digest string) error {
	return fault.New(fault.NotFound, "client %s has no bundle %s", client, digest).WithType(ProblemInvalidBundle)
}
