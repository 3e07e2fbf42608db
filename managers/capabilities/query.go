package capabilities

import (
	"context"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
)

// Device returns one device; fault.NotFound (device-not-found) when unknown.
func (m *Manager) Device(ctx context.Context, client, device string) (fleet.Device, error) {
	if err := checkClient(client); err != nil {
		return fleet.Device{}, err
	}
	if !validDeviceID(device) {
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
		if err := checkClient(client); err != nil {
			return nil, "", err
		}
		prefix = devPrefix(client)
	}
	opts := state.ListOptions{Limit: page.Limit}
	if page.After != "" {
		opts.After = prefix + page.After
	}
	p, err := m.store.List(ctx, prefix, opts)
	if err != nil {
		return nil, "", err
	}
	out := make([]fleet.Device, len(p.Entries))
	for i, e := range p.Entries {
		if err := decode(e, &out[i]); err != nil {
			return nil, "", err
		}
	}
	return out, strings.TrimPrefix(p.Next, prefix), nil
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

// removeBatch bounds the deletions of one batch of Remove.
const removeBatch = 500

// Remove forgets a device, its children and their histories.
// fault.NotFound (device-not-found) when unknown. Children go first, so an
// interrupted Remove never leaves a child without its gateway.
func (m *Manager) Remove(ctx context.Context, client, device string) error {
	if err := checkClient(client); err != nil {
		return err
	}
	if !validDeviceID(device) {
		return deviceNotFound(client, device)
	}
	err := m.locked(client, func() error {
		if _, _, found, err := m.getDevice(ctx, client, device); err != nil {
			return err
		} else if !found {
			return deviceNotFound(client, device)
		}
		for _, prefix := range []string{devKey(client, device) + "/", histKey(client, device) + "/"} {
			if err := m.deleteAll(ctx, prefix); err != nil {
				return err
			}
		}
		_, err := m.store.Batch(ctx, []state.Op{
			{Key: devKey(client, device), Delete: true},
			{Key: histKey(client, device), Delete: true},
		})
		return err
	})
	if err != nil {
		return err
	}
	m.log.InfoContext(ctx, "device removed", "client", client, "device", device)
	m.publish(ctx, event{ClientID: client, DeviceID: device, Kind: kindRemoved})
	return nil
}

// deleteAll deletes every key under prefix, a batch per page.
func (m *Manager) deleteAll(ctx context.Context, prefix string) error {
	for {
		p, err := m.store.List(ctx, prefix, state.ListOptions{Limit: removeBatch})
		if err != nil || len(p.Entries) == 0 {
			return err
		}
		ops := make([]state.Op, len(p.Entries))
		for i, e := range p.Entries {
			ops[i] = state.Op{Key: e.Key, Delete: true}
		}
		if _, err := m.store.Batch(ctx, ops); err != nil {
			return err
		}
	}
}
