package sync

import (
	"slices"

	"github.com/cadenza-edge/cadenza/coa/fault"

	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// roleTypes returns the deployment profile types a provider role runs.
func roleTypes(role string) []string {
	switch role {
	case RoleHelm:
		return []string{document.ProfileHelmV3, document.ProfileHelm}
	case RoleCompose:
		return []string{document.ProfileCompose}
	}
	return nil
}

// provider returns the workload provider for a profile type, or an error
// for the status report when the device has none.
func (m *Manager) provider(profileType string) (workload.Provider, error) {
	var p workload.Provider
	switch runtimeOf(profileType) {
	case RoleHelm:
		p = m.helm
	case RoleCompose:
		p = m.compose
	}
	if p == nil || !supports(p, profileType) {
		return nil, fault.New(fault.BadRequest, "no workload provider for profile type %s on this device", profileType)
	}
	return p, nil
}

// supports reports whether p lists profile type t.
func supports(p workload.Provider, t string) bool { return slices.Contains(p.Types(), t) }

// runtimeOf is the provider role that runs a profile type ("" for none).
func runtimeOf(profileType string) string {
	for _, role := range []string{RoleHelm, RoleCompose} {
		if slices.Contains(roleTypes(role), profileType) {
			return role
		}
	}
	return ""
}
