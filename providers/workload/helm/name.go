package helm

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/workload"
)

// MaxReleaseName is Helm's limit on release names.
const MaxReleaseName = 53

// hashLen is the number of hex digits of the identity hash in a name.
const hashLen = 10

// ReleaseName derives the Helm release name of a component: a readable
// prefix (deployment name and component name, lowered to DNS-1123 label
// characters and truncated) followed by "-" and 10 hex digits of the
// SHA-256 of the component's identity (deployment id, or the deployment
// name when the id is empty, and the component name). The result is a
// valid release name of at most 53 characters for any input, and differs
// for components of different identities with overwhelming probability.
func ReleaseName(c workload.Component) string {
	id := c.DeploymentID
	if id == "" {
		id = "name:" + c.Deployment
	}
	sum := sha256.Sum256([]byte(id + "\x00" + c.Name))
	suffix := hex.EncodeToString(sum[:])[:hashLen]

	prefix := dns1123(c.Deployment + "-" + c.Name)
	if max := MaxReleaseName - hashLen - 1; len(prefix) > max {
		prefix = strings.TrimRight(prefix[:max], "-")
	}
	if prefix == "" {
		prefix = "c"
	}
	return prefix + "-" + suffix
}

// dns1123 lowers s to [a-z0-9-], collapsing runs of other characters into
// one "-" and trimming dashes at both ends.
func dns1123(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}
