package rollout

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/eligibility"
)

// Explain implements fleet.Rollouts.
func (m *Manager) Explain(ctx context.Context, app, version, profile string, ref fleet.DeviceRef) (fleet.Explanation, error) {
	dev, err := m.caps.Device(ctx, ref.ClientID, ref.DeviceID)
	if err != nil {
		return fleet.Explanation{}, err
	}
	if version == "" {
		a, err := m.catalog.Application(ctx, app)
		if err != nil {
			return fleet.Explanation{}, err
		}
		version = a.Latest
	}
	v, err := m.catalog.Version(ctx, app, version)
	if err != nil {
		return fleet.Explanation{}, err
	}
	desc := v.Description
	if profile != "" && profileOf(desc, profile) == nil {
		return fleet.Explanation{}, fault.New(fault.NotFound, "application %s %s has no deployment profile %q", app, version, profile)
	}
	ed, err := eligibility.NewDevice(dev.Capabilities, dev.Labels)
	if err != nil {
		return fleet.Explanation{}, err
	}
	out := fleet.Explanation{Application: app, Version: version, ClientID: ref.ClientID, DeviceID: ref.DeviceID, Profiles: []fleet.ProfileEligibility{}}
	for i := range desc.Profiles {
		p := &desc.Profiles[i]
		if profile != "" && p.ID != profile {
			continue
		}
		out.Profiles = append(out.Profiles, fleet.ProfileEligibility{Profile: p.ID, Type: p.Type, Result: explainProfile(p, ed)})
	}
	return out, nil
}

// explainProfile is eligibility.Check plus whether devices can install the
// profile's type at all.
func explainProfile(p *application.Profile, d *eligibility.Device) eligibility.Result {
	res := eligibility.Check(p, d)
	if _, err := p1Type(p.Type); err != nil {
		res.Eligible = false
		res.Reasons = append([]eligibility.Reason{{Check: "profileType", Message: err.Error()}}, res.Reasons...)
	}
	return res
}
