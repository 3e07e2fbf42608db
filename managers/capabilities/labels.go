package capabilities

import (
	"context"
	"fmt"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// SetLabels applies a merge patch to the operator's labels of a device.
// The labels live in the device record, so a report and a label change
// never overwrite each other (both are conditioned on its store version).
func (m *Manager) SetLabels(ctx context.Context, client, device string, patch map[string]any) (fleet.Device, error) {
	if err := base.CheckClient(client); err != nil {
		return fleet.Device{}, err
	}
	if !base.ValidDeviceID(device) {
		return fleet.Device{}, deviceNotFound(client, device)
	}
	if err := document.Unprocessable(fleet.ValidateLabelPatch(patch)); err != nil {
		return fleet.Device{}, err
	}
	var d fleet.Device
	err := m.base.Locked(client, func() error {
		return m.base.Retry(ctx, "labels of device "+device+" of client "+client, func() error {
			cur, ver, found, err := m.getDevice(ctx, client, device)
			switch {
			case err != nil:
				return err
			case !found:
				return deviceNotFound(client, device)
			}
			cur.Labels = fleet.MergeLabels(cur.Labels, patch)
			if len(cur.Labels) > fleet.MaxLabels {
				return document.Unprocessable([]fault.Violation{{Field: "labels",
					Message: fmt.Sprintf("a device has at most %d operator labels (this patch leaves %d)", fleet.MaxLabels, len(cur.Labels))}})
			}
			b, err := codec.Encode(cur)
			if err != nil {
				return err
			}
			if _, err := m.base.Store.Batch(ctx, []state.Op{{Key: devKey(client, device), Value: b, If: state.IfVersion(ver)}}); err != nil {
				return err
			}
			d = cur
			return nil
		})
	})
	if err != nil {
		return fleet.Device{}, err
	}
	m.base.Log.InfoContext(ctx, "device labels changed", "client", client, "device", device, "labels", len(d.Labels))
	m.publish(ctx, fleet.CapabilitiesEvent{ClientID: client, DeviceID: device, Kind: fleet.DeviceLabeled, Revision: d.Revision})
	return d, nil
}
