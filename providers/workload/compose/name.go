package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/workload"
)

// maxProjectName is the longest project name ProjectName returns (compose
// itself accepts more; 63 keeps names usable as DNS labels and short in
// container names).
const maxProjectName = 63

// ProjectName is the compose project of a component: its deployment id (or
// deployment name when the id is empty), "-", and its name, lowercased.
// A name that needed changes (characters outside [a-z0-9_-], a leading "_"
// or "-") or is longer than 63 characters keeps a prefix of the cleaned
// name and gets "-" plus 10 hex digits of the SHA-256 of the raw identity,
// so distinct components never share a project. Stable and panic-free for
// any input.
func ProjectName(c workload.Component) string {
	dep := c.DeploymentID
	if dep == "" {
		dep = c.Deployment
	}
	raw := dep + "-" + c.Name
	clean := sanitize(strings.ToLower(raw))
	if clean == raw && len(clean) <= maxProjectName && clean != "" && isAlnum(clean[0]) {
		return clean
	}
	sum := sha256.Sum256([]byte(dep + "\x00" + c.Name))
	suffix := "-" + hex.EncodeToString(sum[:])[:10]
	clean = strings.TrimLeft(clean, "-_")
	if limit := maxProjectName - len(suffix); len(clean) > limit {
		clean = strings.TrimRight(clean[:limit], "-_")
	}
	if clean == "" {
		clean = "c"
	}
	return clean + suffix
}

// sanitize replaces every byte outside [a-z0-9_-] with "-".
func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !isAlnum(c) && c != '_' && c != '-' {
			b[i] = '-'
		}
	}
	return string(b)
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
