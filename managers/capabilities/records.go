package capabilities

import (
	"context"
	"strings"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
)

// codec encodes the records of this manager.
const codec base.Codec = "capabilities"

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

// getDevice reads a device and its store version; found is false when absent.
func (m *Manager) getDevice(ctx context.Context, client, device string) (d fleet.Device, version uint64, found bool, err error) {
	if version, found, err = m.base.Get(ctx, devKey(client, device), &d); err != nil || !found {
		return fleet.Device{}, 0, false, err
	}
	return d, version, true, nil
}

// getHistory reads a device's history; absent is empty with version 0.
func (m *Manager) getHistory(ctx context.Context, client, device string) (history, uint64, error) {
	var h history
	version, _, err := m.base.Get(ctx, histKey(client, device), &h)
	if err != nil {
		return history{}, 0, err
	}
	return h, version, nil
}

// parent returns the gateway of a hierarchical device id ("" for a root).
func parent(device string) string {
	i := strings.LastIndexByte(device, '/')
	if i < 0 {
		return ""
	}
	return device[:i]
}
