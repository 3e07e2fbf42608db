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
// target is well formed and, with newTarget (a target given by the
// operator, on create or as a change), lists only clients and devices the
// WFM knows. Every violation is reported at once.
func (m *Manager) resolve(ctx context.Context, spec fleet.RolloutSpec, previous map[string]any, newTarget bool) (resolved, error) {
	var vs []fault.Violation
	if spec.ID != "" && !validName(spec.ID) {
		vs = append(vs, fault.Violation{Field: "id", Message: "must be 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit"})
	}
	add := func(field, format string, args ...any) {
		vs = append(vs, fault.Violation{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	tvs := checkTarget(spec.Target)
	var (
		dvs     []fault.Violation // of unknown clients and devices
		unknown []string
	)
	if newTarget && len(tvs) == 0 {
		var err error
		if dvs, unknown, err = m.unknownDevices(ctx, spec.Target.Devices); err != nil {
			return resolved{}, err
		}
	}
	if spec.Application == "" {
		add("application", "is required: the id of a catalog application (GET /applications)")
		return resolved{}, unprocessable(append(vs, tvs...), dvs, unknown)
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
	vs = append(vs, tvs...)
	if err := unprocessable(vs, dvs, unknown); err != nil {
		return resolved{}, err
	}
	return resolved{spec: spec, desc: desc}, nil
}

// unprocessable is the 422 error of the violations vs and dvs (nil when
// there is none). dvs are those of the clients and devices the target
// lists that the WFM does not know, unknown their names: the detail then
// names every one of them.
func unprocessable(vs, dvs []fault.Violation, unknown []string) error {
	err := document.Unprocessable(append(vs, dvs...))
	if err == nil || len(unknown) == 0 {
		return err
	}
	fe := fault.As(err)
	fe.Detail = "the target names what the WFM does not know: " + strings.Join(unknown, ", ")
	if len(vs) > 0 {
		fe.Detail += fmt.Sprintf(" (and %d more violations)", len(vs))
	}
	return fe
}

// unknownDevices checks that every listed device exists: a CLIENT/DEVICE
// has reported its capabilities, a CLIENT alone is onboarded (without a
// fleet.Onboarding sibling: has a device that reported). It returns a
// violation per unknown entry and the unknown ids, each once ("client c9",
// "device c1/ghost"), in target order.
func (m *Manager) unknownDevices(ctx context.Context, refs []fleet.DeviceRef) ([]fault.Violation, []string, error) {
	var vs []fault.Violation
	var unknown []string
	named := map[string]bool{}
	clients := map[string]bool{} // client id -> known
	clientKnown := func(id string) (bool, error) {
		known, done := clients[id]
		if done {
			return known, nil
		}
		var err error
		if m.clients != nil {
			_, err = m.clients.Client(ctx, id)
		} else {
			var devs []fleet.Device
			if devs, _, err = m.caps.Devices(ctx, id, fleet.Page{Limit: 1}); err == nil && len(devs) == 0 {
				err = fault.New(fault.NotFound, "client %q has no device", id)
			}
		}
		switch {
		case err == nil:
			clients[id] = true
		case fault.Is(err, fault.NotFound):
			clients[id] = false
		default:
			return false, err
		}
		return clients[id], nil
	}
	for i, ref := range refs {
		field := fmt.Sprintf("target.devices[%d]", i)
		known, err := clientKnown(ref.ClientID)
		if err != nil {
			return nil, nil, err
		}
		name, msg := "", ""
		switch {
		case !known:
			name, msg = "client "+ref.ClientID, fmt.Sprintf("no client %s is known to the WFM (GET /clients lists them)", ref.ClientID)
			field += ".clientId"
		case ref.DeviceID != "":
			_, err := m.caps.Device(ctx, ref.ClientID, ref.DeviceID)
			if err != nil && !fault.Is(err, fault.NotFound) {
				return nil, nil, err
			}
			if err != nil {
				name, msg = "device "+ref.String(), fmt.Sprintf("client %s has no device %s that reported its capabilities (GET /devices?clientId=%s lists them)", ref.ClientID, ref.DeviceID, ref.ClientID)
				field += ".deviceId"
			}
		}
		if name == "" {
			continue
		}
		vs = append(vs, fault.Violation{Field: field, Message: msg})
		if !named[name] {
			named[name] = true
			unknown = append(unknown, name)
		}
	}
	return vs, unknown, nil
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
