package document

import (
	"fmt"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// DeploymentStatusManifest is what a device posts to
// .../deployments/{deploymentId}/status. apiVersion and kind are optional on
// input (the P1 OpenAPI requires them, the P1 page omits them, P2 drops them).
// When present, apiVersion is any non-empty string (the spec schemas type it
// as a free string; the data-model examples write "v1") and kind is exactly
// DeploymentStatusManifest. Cadenza writes StatusAPIVersion and StatusKind.
type DeploymentStatusManifest struct {
	APIVersion   string `json:"apiVersion,omitempty"`
	Kind         string `json:"kind,omitempty"`
	DeploymentID string `json:"deploymentId"`
	// DeviceID is required when a gateway reports for a child device.
	DeviceID string `json:"deviceId,omitempty"`
	// AdoptedManifestVersion is P2 only: the manifest version whose revision
	// of this deployment the client holds. Nil when absent.
	AdoptedManifestVersion *uint64           `json:"adoptedManifestVersion,omitempty"`
	Status                 DeploymentStatus  `json:"status"`
	Components             []ComponentStatus `json:"components"`
}

// DeploymentStatus is the overall state of a deployment.
type DeploymentStatus struct {
	State State        `json:"state"`
	Error *StatusError `json:"error,omitempty"`
}

// ComponentStatus is the state of one component of a deployment.
type ComponentStatus struct {
	Name  string       `json:"name"`
	State State        `json:"state"`
	Error *StatusError `json:"error,omitempty"`
}

// StatusError describes a failure. Source is the gateway id for
// gateway-generated errors, else metadata.name (overall) or the component
// name. Gateways reserve codes 101 (unknown child), 102 (child unreachable)
// and 103 (autonomous placement not supported).
type StatusError struct {
	Code    string `json:"code"`
	Source  string `json:"source,omitempty"`
	Message string `json:"message"`
}

// ParseStatus parses and validates a P1 status body (apiVersion and kind
// optional; adoptedManifestVersion validated when present). It checks the
// document on its own: see ValidateStatus for the checks that need the path
// and the deployment.
func ParseStatus(body []byte) (*DeploymentStatusManifest, error) {
	return parseStatus(body, false)
}

// ParseStatusP2 is ParseStatus for P2 (rc.3), where adoptedManifestVersion is
// required. An envelope (apiVersion, kind) is tolerated, checked as in
// ParseStatus.
func ParseStatusP2(body []byte) (*DeploymentStatusManifest, error) {
	return parseStatus(body, true)
}

func parseStatus(body []byte, p2 bool) (*DeploymentStatusManifest, error) {
	raw, vs, err := decodeBody(body, "deployment status")
	if err != nil {
		return nil, err
	}
	return finish(body, raw, vs, schemaStatus, func(s *DeploymentStatusManifest, raw any, vs *violations) {
		v, ok := member(raw, "adoptedManifestVersion")
		switch {
		case ok:
			checkUint64Literal(vs, v, "adoptedManifestVersion")
		case p2:
			if _, isObj := raw.(map[string]any); isObj {
				vs.add("adoptedManifestVersion", "is required")
			}
		}
		*vs = append(*vs, ValidateStatus(s, "", nil)...)
	})
}

// ValidateStatus checks the rules that relate a status document to its
// context:
//
//   - the body deploymentId equals pathDeploymentID ("" skips the check);
//   - no two components have the same name;
//   - when componentNames is not nil (the components of the deployment, in
//     any order), there is exactly one entry per component: none missing and
//     none unknown.
//
// Use Unprocessable to turn the result into the 422 error.
func ValidateStatus(s *DeploymentStatusManifest, pathDeploymentID string, componentNames []string) []fault.Violation {
	var vs violations
	if pathDeploymentID != "" && s.DeploymentID != "" && s.DeploymentID != pathDeploymentID {
		vs.add("deploymentId", "must equal the deployment id in the request path (%s)", quoteValue(pathDeploymentID))
	}
	seen := make(map[string]int, len(s.Components))
	for i, c := range s.Components {
		if c.Name == "" {
			continue // reported by the schema
		}
		if first, dup := seen[c.Name]; dup {
			vs.add(path("components").index(i).key("name"), "duplicates components[%d]: %s", first, quoteValue(c.Name))
			continue
		}
		seen[c.Name] = i
	}
	if componentNames != nil {
		known := make(map[string]bool, len(componentNames))
		for _, n := range componentNames {
			known[n] = true
			if _, ok := seen[n]; !ok {
				vs.add("components", "has no entry for component %s", quoteValue(n))
			}
		}
		for i, c := range s.Components {
			if c.Name != "" && !known[c.Name] {
				vs.add(path("components").index(i).key("name"), "%s is not a component of deployment %s", quoteValue(c.Name), quoteValue(s.DeploymentID))
			}
		}
	}
	return normalize(vs)
}

// OverallFromComponents returns the most severe component state, which the
// spec says the overall state is.
func (s *DeploymentStatusManifest) OverallFromComponents() State {
	states := make([]State, len(s.Components))
	for i, c := range s.Components {
		states[i] = c.State
	}
	return MostSevere(states...)
}

// String summarises the status for logs.
func (s *DeploymentStatusManifest) String() string {
	return fmt.Sprintf("deployment %s: %s (%d components)", s.DeploymentID, s.Status.State, len(s.Components))
}
