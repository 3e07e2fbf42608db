package cli

// Device references of the operator commands: CLIENT[/DEVICE].

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/operator"
)

// parseDeviceRef splits CLIENT[/DEVICE] at the first '/': client ids never
// contain '/', device ids may.
func parseDeviceRef(s string) (fleet.DeviceRef, error) {
	client, dev, hasDev := strings.Cut(s, "/")
	switch {
	case client == "":
		return fleet.DeviceRef{}, fmt.Errorf("%q: expected CLIENT or CLIENT/DEVICE, the client id first", s)
	case hasDev && dev == "":
		return fleet.DeviceRef{}, fmt.Errorf("%q: the device id after '/' is empty (give CLIENT alone for every device of a client)", s)
	}
	return fleet.DeviceRef{ClientID: client, DeviceID: dev}, nil
}

// resolveDevice returns d when it names a device; for a client alone, the
// client's only device, or an error naming its devices.
func (c *command) resolveDevice(ctx context.Context, d fleet.DeviceRef) (fleet.DeviceRef, error) {
	if d.DeviceID != "" {
		return d, nil
	}
	devs, _, err := c.clientDevices(ctx, d.ClientID)
	if err != nil {
		return d, err
	}
	switch len(devs) {
	case 0:
		return d, noDevices(d.ClientID)
	case 1:
		return refOf(devs[0]), nil
	}
	ids := make([]string, len(devs))
	for i, x := range devs {
		ids[i] = x.DeviceID
	}
	return d, problem(fmt.Sprintf("name one as %s/DEVICE", d.ClientID), "client %s has %d devices (%s)", d.ClientID, len(devs), strings.Join(ids, ", "))
}

func noDevices(client string) error {
	return problem("check the client id with `cadenza device list`; a device appears once it has reported its capabilities",
		"client %s has reported no device", client)
}

// clientDevices lists the devices of one client, and the listing's JSON.
func (c *command) clientDevices(ctx context.Context, client string) ([]fleet.Device, json.RawMessage, error) {
	var raw json.RawMessage
	devs, err := c.api.Devices(ctx, operator.DeviceFilter{ClientID: client}, operator.JSON(&raw))
	return devs, raw, err
}

func refOf(d fleet.Device) fleet.DeviceRef {
	return fleet.DeviceRef{ClientID: d.ClientID, DeviceID: d.DeviceID}
}
