package fleettest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// Capabilities is an in-memory fleet.Capabilities. Devices are keyed
// "<clientId>|<deviceId>", which is also the cursor of Devices.
type Capabilities struct {
	// Reject, when set, is what Report returns.
	Reject error

	mu      sync.Mutex
	devices map[string]fleet.Device
	history map[string][]fleet.CapabilitiesReport // newest first
}

var _ fleet.Capabilities = (*Capabilities)(nil)

// Put stores d as it is, with history (newest first) when given.
func (f *Capabilities) Put(d fleet.Device, history ...fleet.CapabilitiesReport) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	k := d.ClientID + "|" + d.DeviceID
	f.devices[k] = d
	if len(history) > 0 {
		f.history[k] = history
	}
}

func (f *Capabilities) init() {
	if f.devices == nil {
		f.devices = map[string]fleet.Device{}
		f.history = map[string][]fleet.CapabilitiesReport{}
	}
}

// Get returns a device, found or not.
func (f *Capabilities) Get(clientID, deviceID string) (fleet.Device, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.devices[clientID+"|"+deviceID]
	return d, ok
}

// Report implements fleet.Capabilities: unless Reject is set, it stores raw
// for the device (properties.id when deviceID is "") with the next
// revision, and refuses a child (gw/child) whose gateway has not reported.
func (f *Capabilities) Report(_ context.Context, clientID, deviceID string, doc *document.DeviceCapabilitiesManifest, raw []byte) (bool, error) {
	if f.Reject != nil {
		return false, f.Reject
	}
	if deviceID == "" {
		deviceID = doc.Properties.ID
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	if i := strings.LastIndexByte(deviceID, '/'); i > 0 {
		if _, ok := f.devices[clientID+"|"+deviceID[:i]]; !ok {
			return false, fault.New(fault.NotFound, "gateway %s has not reported", deviceID[:i])
		}
	}
	k := clientID + "|" + deviceID
	d, existed := f.devices[k]
	d.ClientID, d.DeviceID, d.Capabilities, d.Reported = clientID, deviceID, slices.Clone(raw), time.Now()
	d.Revision++
	f.devices[k] = d
	f.history[k] = slices.Insert(f.history[k], 0, fleet.CapabilitiesReport{Reported: d.Reported, Capabilities: d.Capabilities})
	return !existed, nil
}

// Remove implements fleet.Capabilities.
func (f *Capabilities) Remove(_ context.Context, clientID, deviceID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := clientID + "|" + deviceID
	if _, ok := f.devices[k]; !ok {
		return fault.New(fault.NotFound, "no device %s", deviceID)
	}
	delete(f.devices, k)
	delete(f.history, k)
	return nil
}

// Device implements fleet.Capabilities.
func (f *Capabilities) Device(_ context.Context, clientID, deviceID string) (fleet.Device, error) {
	return get(&f.mu, f.devices, clientID+"|"+deviceID, "no device %s", deviceID)
}

// Devices implements fleet.Capabilities.
func (f *Capabilities) Devices(_ context.Context, clientID string, page fleet.Page) ([]fleet.Device, string, error) {
	return list(&f.mu, f.devices, clientID, func(d fleet.Device) (string, string) { return d.ClientID, d.ClientID + "|" + d.DeviceID }, page)
}

// History implements fleet.Capabilities.
func (f *Capabilities) History(_ context.Context, clientID, deviceID string, limit int) ([]fleet.CapabilitiesReport, error) {
	return first(&f.mu, f.history, clientID+"|"+deviceID, limit), nil
}

// SetLabels implements fleet.Capabilities: it merges patch into the
// device's labels after fleet.ValidateLabelPatch.
func (f *Capabilities) SetLabels(_ context.Context, clientID, deviceID string, patch map[string]any) (fleet.Device, error) {
	if vs := fleet.ValidateLabelPatch(patch); len(vs) > 0 {
		return fleet.Device{}, fault.New(fault.Unprocessable, "invalid labels").WithViolations(vs)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	k := clientID + "|" + deviceID
	d, ok := f.devices[k]
	if !ok {
		return fleet.Device{}, fault.New(fault.NotFound, "client %s has no device %s", clientID, deviceID)
	}
	d.Labels = fleet.MergeLabels(d.Labels, patch)
	f.devices[k] = d
	return d, nil
}
