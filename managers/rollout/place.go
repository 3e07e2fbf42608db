package rollout

import (
	"context"
	"slices"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/eligibility"
)

// listBatch is the page size of device scans.
const listBatch = 1000

// candidate is a targeted device: found (dev set) or not (reason set).
type candidate struct {
	ref    fleet.DeviceRef
	dev    *fleet.Device
	reason string
}

func refKey(r fleet.DeviceRef) string { return r.ClientID + "\n" + r.DeviceID }

// targets lists the devices t selects, each once, in client and device
// order: listed devices (a listed device unknown to the WFM, as a device
// removed since the target was set, is a candidate with a reason) and
// devices whose effective labels match the selector.
func (m *Manager) targets(ctx context.Context, t fleet.Target) ([]candidate, error) {
	seen := map[string]bool{}
	var out []candidate
	add := func(c candidate) {
		if k := refKey(c.ref); !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	for _, ref := range t.Devices {
		if ref.DeviceID != "" {
			d, err := m.caps.Device(ctx, ref.ClientID, ref.DeviceID)
			switch {
			case err == nil:
				add(candidate{ref: ref, dev: &d})
			case fault.Is(err, fault.NotFound):
				add(candidate{ref: ref, reason: "the device is not known to the WFM: it was removed, or never reported its capabilities"})
			default:
				return nil, err
			}
			continue
		}
		n := 0
		err := m.scan(ctx, ref.ClientID, func(d fleet.Device) {
			n++
			add(candidate{ref: fleet.DeviceRef{ClientID: d.ClientID, DeviceID: d.DeviceID}, dev: &d})
		})
		if err != nil && !fault.Is(err, fault.NotFound) {
			return nil, err
		}
		if n == 0 {
			add(candidate{ref: ref, reason: "the client has no device that reported its capabilities"})
		}
	}
	if selects(t) {
		err := m.scan(ctx, "", func(d fleet.Device) {
			if selected(t, &d) {
				add(candidate{ref: fleet.DeviceRef{ClientID: d.ClientID, DeviceID: d.DeviceID}, dev: &d})
			}
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b candidate) int {
		if c := strings.Compare(a.ref.ClientID, b.ref.ClientID); c != 0 {
			return c
		}
		return strings.Compare(a.ref.DeviceID, b.ref.DeviceID)
	})
	return out, nil
}

// selected reports whether d passes t's label selector and capabilities
// expressions (those given).
func selected(t fleet.Target, d *fleet.Device) bool {
	if t.Selector != nil && !t.Selector.Matches(d.EffectiveLabels()) {
		return false
	}
	if t.Capabilities == nil || len(t.Capabilities.MatchExpressions) == 0 {
		return true
	}
	ed, err := eligibility.NewDevice(d.Capabilities, d.Labels)
	return err == nil && eligibility.MatchProperties(t.Capabilities, ed)
}

// scan calls fn for every device of client ("" = every client).
func (m *Manager) scan(ctx context.Context, client string, fn func(fleet.Device)) error {
	page := fleet.Page{Limit: listBatch}
	for {
		ds, next, err := m.caps.Devices(ctx, client, page)
		if err != nil {
			return err
		}
		for _, d := range ds {
			fn(d)
		}
		if next == "" {
			return nil
		}
		page.After = next
	}
}

// choose picks the profile of desc for a device: the requested one when
// the device is eligible for it, else (none requested) the first profile
// the device is eligible for and devices can install. It returns nil and
// the reason when there is none.
func choose(desc *application.Description, requested string, dev *fleet.Device) (*application.Profile, string) {
	ed, err := eligibility.NewDevice(dev.Capabilities, dev.Labels)
	if err != nil {
		return nil, "the device's capabilities cannot be read: " + err.Error()
	}
	if requested != "" {
		p := profileOf(desc, requested)
		if _, err := p1Type(p.Type); err != nil {
			return nil, "profile " + p.ID + ": " + err.Error()
		}
		if res := eligibility.Check(p, ed); !res.Eligible {
			return nil, "profile " + p.ID + ": " + res.Summary()
		}
		return p, ""
	}
	var why []string
	for i := range desc.Profiles {
		p := &desc.Profiles[i]
		if _, err := p1Type(p.Type); err != nil {
			why = append(why, p.ID+": "+err.Error())
			continue
		}
		res := eligibility.Check(p, ed)
		if res.Eligible {
			return p, ""
		}
		why = append(why, p.ID+": "+res.Summary())
	}
	return nil, "no profile fits: " + strings.Join(why, "; ")
}
