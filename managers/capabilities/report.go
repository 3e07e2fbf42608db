package capabilities

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// Report stores a validated capabilities document for device (the path id;
// "" takes properties.id) and returns whether the device is new. Errors:
// fault.Unprocessable when properties.id does not match the path or is not
// a device id; fault.NotFound (invalid-client) for a child reported before
// its gateway.
func (m *Manager) Report(ctx context.Context, client, device string, doc *document.DeviceCapabilitiesManifest, raw []byte) (bool, error) {
	if err := base.CheckClient(client); err != nil {
		return false, err
	}
	if doc == nil {
		return false, fault.New(fault.BadRequest, "no capabilities document")
	}
	if device == "" {
		device = doc.Properties.ID
	} else if err := document.Unprocessable(document.ValidateCapabilities(doc, device)); err != nil {
		return false, err
	}
	if !base.ValidDeviceID(device) {
		return false, badDeviceID(device)
	}
	caps, err := codec.Compact(doc, raw)
	if err != nil {
		return false, err
	}
	now := m.base.Now().UTC()

	var d fleet.Device
	var created bool
	err = m.base.Locked(client, func() error {
		return m.base.Retry(ctx, "device "+device+" of client "+client, func() (err error) {
			d, created, err = m.tryReport(ctx, client, device, caps, now)
			return err
		})
	})
	if err != nil {
		return false, err
	}
	kind := fleet.DeviceUpdated
	if created {
		kind = fleet.DeviceCreated
		m.base.Log.InfoContext(ctx, "device registered", "client", client, "device", device)
	}
	m.publish(ctx, fleet.CapabilitiesEvent{ClientID: client, DeviceID: device, Kind: kind, Revision: d.Revision})
	return created, nil
}

// tryReport is one read-modify-write attempt of Report.
func (m *Manager) tryReport(ctx context.Context, client, device string, caps json.RawMessage, now time.Time) (fleet.Device, bool, error) {
	cur, curVer, found, err := m.getDevice(ctx, client, device)
	if err != nil {
		return fleet.Device{}, false, err
	}
	if gw := parent(device); gw != "" {
		if _, _, ok, err := m.getDevice(ctx, client, gw); err != nil {
			return fleet.Device{}, false, err
		} else if !ok {
			return fleet.Device{}, false, gatewayNotFound(client, device, gw)
		}
	}
	next := fleet.Device{ClientID: client, DeviceID: device, Capabilities: caps, Reported: now, Revision: cur.Revision + 1, Labels: cur.Labels}
	nb, err := codec.Encode(next)
	if err != nil {
		return fleet.Device{}, false, err
	}
	ops := []state.Op{{Key: devKey(client, device), Value: nb, If: state.IfVersion(curVer)}}
	if !found || !bytes.Equal(cur.Capabilities, caps) {
		h, hv, err := m.getHistory(ctx, client, device)
		if err != nil {
			return fleet.Device{}, false, err
		}
		h.Reports = append([]fleet.CapabilitiesReport{{Reported: now, Capabilities: caps}}, h.Reports...)
		if len(h.Reports) > m.cfg.History {
			h.Reports = h.Reports[:m.cfg.History]
		}
		hb, err := codec.Encode(h)
		if err != nil {
			return fleet.Device{}, false, err
		}
		ops = append(ops, state.Op{Key: histKey(client, device), Value: hb, If: state.IfVersion(hv)})
	}
	if _, err := m.base.Store.Batch(ctx, ops); err != nil {
		return fleet.Device{}, false, err
	}
	return next, !found, nil
}
