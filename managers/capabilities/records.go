package capabilities

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
)

// Key prefixes of the storage layout (see the package documentation).
const (
	prefixDev  = "caps/dev/"
	prefixHist = "caps/hist/"
)

func devPrefix(client string) string       { return prefixDev + client + "/" }
func devKey(client, device string) string  { return devPrefix(client) + device }
func histKey(client, device string) string { return prefixHist + client + "/" + device }

// history is the stored capabilities history of a device.
type history struct {
	Reports []fleet.CapabilitiesReport `json:"reports"` // newest first
}

// encode marshals a stored value; failing is a bug.
func encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "capabilities: encoding a record")
	}
	return b, nil
}

// decode unmarshals the stored value of e into v.
func decode(e state.Entry, v any) error {
	if err := json.Unmarshal(e.Value, v); err != nil {
		return fault.Wrap(err, fault.Internal, "capabilities: corrupt record %q", e.Key)
	}
	return nil
}

// getDevice reads a device and its store version; found is false when absent.
func (m *Manager) getDevice(ctx context.Context, client, device string) (d fleet.Device, version uint64, found bool, err error) {
	e, err := m.store.Get(ctx, devKey(client, device))
	if fault.Is(err, fault.NotFound) {
		return fleet.Device{}, 0, false, nil
	}
	if err != nil {
		return fleet.Device{}, 0, false, err
	}
	if err := decode(e, &d); err != nil {
		return fleet.Device{}, 0, false, err
	}
	return d, e.Version, true, nil
}

// getHistory reads a device's history; absent is empty with version 0.
func (m *Manager) getHistory(ctx context.Context, client, device string) (history, uint64, error) {
	var h history
	e, err := m.store.Get(ctx, histKey(client, device))
	if fault.Is(err, fault.NotFound) {
		return h, 0, nil
	}
	if err != nil {
		return h, 0, err
	}
	if err := decode(e, &h); err != nil {
		return history{}, 0, err
	}
	return h, e.Version, nil
}

// parent returns the gateway of a hierarchical device id ("" for a root).
func parent(device string) string {
	i := strings.LastIndexByte(device, '/')
	if i < 0 {
		return ""
	}
	return device[:i]
}
