package rollout

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// maxTargetDevices bounds the devices a rollout lists by name.
const maxTargetDevices = 10000

// resolved is a checked spec with the application version it deploys.
type resolved struct {
	spec fleet.RolloutSpec
	desc *application.Description
}

// resolve checks spec against the catalog: the application and version
// exist (the latest version when none is given), the profile is one of the
// version's, every parameter value satisfies the configuration (previous:
// the values being replaced, for immutable settings; nil on create) and the
// target is well formed. Every violation is reported at once.
func (m *Manager) resolve(ctx context.Context, spec fleet.RolloutSpec, previous map[string]any) (resolved, error) {
	var vs []fault.Violation
	if spec.ID != "" && !validName(spec.ID) {
		vs = append(vs, fault.Violation{Field: "id", Message: "must be 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit"})
	}
	add := func(field, format string, args ...any) {
		vs = append(vs, fault.Violation{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if spec.Application == "" {
		add("application", "is required: the id of a catalog application (GET /applications)")
		return resolved{}, document.Unprocessable(append(vs, checkTarget(spec.Target)...))
	}
	app, err := m.catalog.Application(ctx, spec.Application)
	if err != nil {
		return resolved{}, err
	}
	if spec.Version == "" {
		spec.Version = app.Latest
	}
	ver, err := m.catalog.Version(ctx, spec.Application, spec.Version)
	if err != nil {
		return resolved{}, err
	}
	desc := ver.Description
	if spec.Profile != "" && profileOf(desc, spec.Profile) == nil {
		add("profile", "application %s %s has no deployment profile %q (it has %s)", desc.ID, desc.Version, spec.Profile, strings.Join(profileIDs(desc), ", "))
	}
	if spec.Namespace != "" && !validName(spec.Namespace) {
		add("namespace", "must be a Kubernetes namespace name: 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit")
	}
	vs = append(vs, application.ValidateValues(desc, spec.Parameters, previous)...)
	vs = append(vs, checkTarget(spec.Target)...)
	if err := document.Unprocessable(vs); err != nil {
		return resolved{}, err
	}
	return resolved{spec: spec, desc: desc}, nil
}

// checkTarget checks a target's shape.
func checkTarget(t fleet.Target) []fault.Violation {
	var vs []fault.Violation
	if len(t.Devices) == 0 && !selects(t) {
		return []fault.Violation{{Field: "target", Message: "must list devices, or give a label selector or capabilities expressions"}}
	}
	if len(t.Devices) > maxTargetDevices {
		vs = append(vs, fault.Violation{Field: "target.devices", Message: fmt.Sprintf("lists %d devices; at most %d (use a label selector for more)", len(t.Devices), maxTargetDevices)})
	}
	for i, d := range t.Devices {
		f := fmt.Sprintf("target.devices[%d]", i)
		if !base.ValidID(d.ClientID) {
			vs = append(vs, fault.Violation{Field: f + ".clientId", Message: "must be a client id"})
		}
		if d.DeviceID != "" && !base.ValidDeviceID(d.DeviceID) {
			vs = append(vs, fault.Violation{Field: f + ".deviceId", Message: "must be a device id: ids separated by /"})
		}
	}
	if t.Selector != nil {
		vs = append(vs, t.Selector.Validate()...)
	}
	if t.Capabilities != nil {
		vs = append(vs, t.Capabilities.Validate("target.capabilities", true)...)
	}
	return vs
}

// selects reports whether t picks devices by label or capability.
func selects(t fleet.Target) bool {
	return (t.Selector != nil && !t.Selector.Empty()) || (t.Capabilities != nil && len(t.Capabilities.MatchExpressions) > 0)
}

// profileOf returns the profile of desc named id, nil when none is.
func profileOf(desc *application.Description, id string) *application.Profile {
	for i := range desc.Profiles {
		if desc.Profiles[i].ID == id {
			return &desc.Profiles[i]
		}
	}
	return nil
}

func profileIDs(desc *application.Description) []string {
	out := make([]string, len(desc.Profiles))
	for i, p := range desc.Profiles {
		out[i] = p.ID
	}
	return out
}

// newID makes a rollout id from an application id: its last dash-separated
// words (at most 40 characters) and five random characters.
func newID(app string) string {
	short := app
	for len(short) > 40 {
		i := strings.IndexByte(short, '-')
		if i < 0 {
			short = short[len(short)-40:]
			break
		}
		short = short[i+1:]
	}
	short = strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, short), "-")
	if short == "" {
		short = "deployment"
	}
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 5)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return short + "-" + string(b)
}
