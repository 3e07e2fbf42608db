package capabilities

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
)

// Device returns one device; fault.NotFound (device-not-found) when unknown.
func (m *Manager) Device(ctx context.Context, client, device string) (fleet.Device, error) {
	if err := base.CheckClient(client); err != nil {
		return fleet.Device{}, err
	}
	if !base.ValidDeviceID(device) {
		return fleet.Device{}, deviceNotFound(client, device)
	}
	d, _, found, err := m.getDevice(ctx, client, device)
	if err == nil && !found {
		err = deviceNotFound(client, device)
	}
	return d, err
}

// Devices lists the devices of client ("" = every client) in (client and)
// id order, a gateway before its children. The cursor is the last item's
// id ("<clientId>/<deviceId>" across clients).
func (m *Manager) Devices(ctx context.Context, client string, page fleet.Page) ([]fleet.Device, string, error) {
	prefix := prefixDev
	if client != "" {
		if err := base.CheckClient(client); err != nil {
			return nil, "", err
		}
		prefix = devPrefix(client)
	}
	entries, next, err := m.base.List(ctx, prefix, page)
	if err != nil {
		return nil, "", err
	}
	out := make([]fleet.Device, len(entries))
	for i, e := range entries {
		if err := codec.Decode(e, &out[i]); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// History returns up to limit distinct reports of a device, newest (the
// current content) first; limit <= 0 returns all kept. fault.NotFound when
// the device is unknown.
func (m *Manager) History(ctx context.Context, client, device string, limit int) ([]fleet.CapabilitiesReport, error) {
	if _, err := m.Device(ctx, client, device); err != nil {
		return nil, err
	}
	h, _, err := m.getHistory(ctx, client, device)
	if err != nil {
		return nil, err
	}
	if h.Reports == nil {
		h.Reports = []fleet.CapabilitiesReport{}
	}
	if limit > 0 && len(h.Reports) > limit {
		h.Reports = h.Reports[:limit]
	}
	return h.Reports, nil
}

// Remove forgets a device, its children and their histories.
// fault.NotFound (device-not-found) when unknown. Children go first, so an
// interrupted Remove never leaves a child without its gateway.
func (m *Manager) Remove(ctx context.Context, client, device string) error {
	if err := base.CheckClient(client); err != nil {
		return err
	}
	if !base.ValidDeviceID(device) {
		return deviceNotFound(client, device)
	}
	err := m.base.Locked(client, func() error {
		if _, _, found, err := m.getDevice(ctx, client, device); err != nil {
			return err
		} else if !found {
			return deviceNotFound(client, device)
		}
		for _, prefix := range []string{devKey(client, device) + "/", histKey(client, device) + "/"} {
			if err := m.base.DeleteAll(ctx, prefix); err != nil {
				return err
			}
		}
		_, err := m.base.Store.Batch(ctx, []state.Op{
			{Key: devKey(client, device), Delete: true},
			{Key: histKey(client, device), Delete: true},
		})
		return err
	})
	if err != nil {
		return err
	}
	m.base.Log.InfoContext(ctx, "device removed", "client", client, "device", device)
	m.publish(ctx, fleet.CapabilitiesEvent{ClientID: client, DeviceID: device, Kind: fleet.DeviceRemoved})
	return nil
}
