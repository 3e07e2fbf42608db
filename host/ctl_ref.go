package main

// Device references of the operator commands: CLIENT[/DEVICE].

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// deviceRef is CLIENT[/DEVICE]: client ids never contain '/', device ids may.
type deviceRef struct {
	ClientID string `json:"clientId"`
	DeviceID string `json:"deviceId,omitempty"`
}

func (d deviceRef) String() string {
	if d.DeviceID == "" {
		return d.ClientID
	}
	return d.ClientID + "/" + d.DeviceID
}

// parseDeviceRef splits CLIENT[/DEVICE] at the first '/'.
func parseDeviceRef(s string) (deviceRef, error) {
	client, dev, hasDev := strings.Cut(s, "/")
	switch {
	case client == "":
		return deviceRef{}, fmt.Errorf("%q: expected CLIENT or CLIENT/DEVICE, the client id first", s)
	case hasDev && dev == "":
		return deviceRef{}, fmt.Errorf("%q: the device id after '/' is empty (give CLIENT alone for every device of a client)", s)
	}
	return deviceRef{ClientID: client, DeviceID: dev}, nil
}

// devicePath is the API path of one device.
func devicePath(d deviceRef) string {
	return pathOf("clients", d.ClientID, "devices", "/"+d.DeviceID)
}

// resolveDevice returns d when it names a device; for a client alone, the
// client's only device, or an error naming its devices.
func (c *ctl) resolveDevice(ctx context.Context, d deviceRef) (deviceRef, error) {
	if d.DeviceID != "" {
		return d, nil
	}
	devs, _, err := c.clientDevices(ctx, d.ClientID)
	if err != nil {
		return d, err
	}
	switch len(devs) {
	case 0:
		return d, c.noDevices(d.ClientID)
	case 1:
		return deviceRef{ClientID: devs[0].ClientID, DeviceID: devs[0].DeviceID}, nil
	}
	ids := make([]string, len(devs))
	for i, x := range devs {
		ids[i] = x.DeviceID
	}
	return d, &apiError{msg: fmt.Sprintf("client %s has %d devices (%s)", d.ClientID, len(devs), strings.Join(ids, ", ")),
		hint: fmt.Sprintf("name one as %s/DEVICE", d.ClientID)}
}

func (c *ctl) noDevices(client string) error {
	return &apiError{msg: fmt.Sprintf("client %s has reported no device", client),
		hint: "check the client id with `cadenza device list`; a device appears once it has reported its capabilities"}
}

// clientDevices lists the devices of one client.
func (c *ctl) clientDevices(ctx context.Context, client string) ([]apiDevice, []json.RawMessage, error) {
	raw, devs, err := listOf[apiDevice](ctx, c, "/devices", url.Values{"clientId": {client}})
	return devs, raw, err
}
