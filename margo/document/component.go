package document

import (
	"encoding/json"
	"fmt"
	"time"
)

// Component is one component of a deployment profile; devices install them
// in the order listed.
type Component struct {
	Name       string              `json:"name"`
	Properties ComponentProperties `json:"properties"`
}

// ComponentProperties holds the properties of every profile type; only those
// of the component's type are set. P1 helm.v3 and P2 (both types) use
// Repository and Revision; P1 compose uses PackageLocation and KeyLocation.
type ComponentProperties struct {
	Repository      string `json:"repository,omitempty"`      // oci://...
	Revision        string `json:"revision,omitempty"`        // chart or package version
	PackageLocation string `json:"packageLocation,omitempty"` // compose.yaml or tar.gz URL
	KeyLocation     string `json:"keyLocation,omitempty"`     // PGP key URL
	// Wait is nil when absent (meaning true).
	Wait *Bool `json:"wait,omitempty"`
	// Timeout is "##m##s", or "" when absent.
	Timeout string `json:"timeout,omitempty"`
}

// WaitEnabled returns wait, which defaults to true.
func (p ComponentProperties) WaitEnabled() bool { return p.Wait == nil || bool(*p.Wait) }

// TimeoutDuration returns the timeout, or 0 when none is set.
func (p ComponentProperties) TimeoutDuration() (time.Duration, error) {
	if p.Timeout == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(p.Timeout)
	if err != nil {
		return 0, fmt.Errorf("timeout %q: %w", p.Timeout, err)
	}
	return d, nil
}

// Bool is a boolean that also accepts the strings "true" and "false", which
// upstream examples write for wait.
type Bool bool

// UnmarshalJSON accepts true, false, "true" and "false".
func (b *Bool) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true", `"true"`:
		*b = true
	case "false", `"false"`:
		*b = false
	default:
		return fmt.Errorf("want a boolean, got %s", data)
	}
	return nil
}

// MarshalJSON writes a JSON boolean.
func (b Bool) MarshalJSON() ([]byte, error) { return json.Marshal(bool(b)) }

// Parameter is a deployment parameter: a value and where it goes.
type Parameter struct {
	// Value is the JSON text of the value (string, number, bool, or an array
	// of those), kept verbatim so numbers keep their precision.
	Value   json.RawMessage   `json:"value"`
	Targets []ParameterTarget `json:"targets"`
}

// ParameterTarget places a parameter value in components: Pointer is a Helm
// --set dot path or a compose environment variable name.
type ParameterTarget struct {
	Pointer    string   `json:"pointer"`
	Components []string `json:"components"`
}
