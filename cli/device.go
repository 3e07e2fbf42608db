package cli

// cadenza device list|show|label: devices and their labels (GET /devices,
// GET and PATCH /clients/{clientId}/devices/{deviceId}).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/operator"
)

// capabilitiesView are the members of a capabilities document shown.
type capabilitiesView struct {
	Labels     map[string]any `json:"labels"`
	Vendor     string         `json:"vendor"`
	Model      string         `json:"modelNumber"`
	Serial     string         `json:"serialNumber"`
	Properties struct {
		Vendor string `json:"vendor"`
		Model  string `json:"modelNumber"`
		Serial string `json:"serialNumber"`
	} `json:"properties"`
}

// viewOf reads what is shown of a device's capabilities.
func viewOf(d fleet.Device) capabilitiesView {
	var v capabilitiesView
	_ = json.Unmarshal(d.Capabilities, &v) // a document without these members shows none
	if v.Vendor == "" {
		v.Vendor, v.Model, v.Serial = v.Properties.Vendor, v.Properties.Model, v.Properties.Serial
	}
	return v
}

// deviceNotFound is the hint of a 404 about device d.
func deviceNotFound(err error, d fleet.DeviceRef) error {
	return hintIf(err, http.StatusNotFound, fmt.Sprintf("list the devices of client %s with `cadenza device list --client %s`", d.ClientID, d.ClientID))
}

const deviceListSynopsis = "[--client C] [-l k=v ...]"

func (c *command) deviceList(args []string) int {
	fs := c.flags(deviceListSynopsis, "Lists devices with their effective labels (reported, overlaid with the operator's).")
	filter := operator.DeviceFilter{}
	fs.StringVar(&filter.ClientID, "client", "", "only the devices of this `CLIENT`")
	var sel []string
	fs.StringArray(&sel, "selector", "l", "label filter `k=v` (the label's string form) or k (label present); repeat or comma-separate, all must match")
	if _, code := c.parse(fs, args, 0, 0); code >= 0 {
		return code
	}
	for _, s := range sel {
		reqs, err := parseSelector(s)
		if err != nil {
			return c.usageError("-l %q: %v", s, err)
		}
		for _, r := range reqs {
			switch r.op {
			case "=":
				filter.Labels = append(filter.Labels, r.key+"="+r.values[0])
			case "exists":
				filter.Labels = append(filter.Labels, r.key)
			default:
				return c.usageError("-l %q: device list filters by k=v or k only", s)
			}
		}
	}
	ctx, cancel := c.context()
	defer cancel()
	var raw json.RawMessage
	devs, err := c.api.Devices(ctx, filter, operator.JSON(&raw))
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emitList(raw, len(devs), "devices", "", func(w io.Writer) { c.deviceTable(w, devs) }))
}

func (c *command) deviceTable(w io.Writer, devs []fleet.Device) {
	t := newTable("CLIENT", "DEVICE", "LABELS", "REVISION", "REPORTED")
	for _, d := range devs {
		t.row(d.ClientID, d.DeviceID, orNone(keyValues(d.EffectiveLabels(), labelString)), fmt.Sprint(d.Revision), age(d.Reported, c.now()))
	}
	t.write(w)
}

const deviceShowSynopsis = "CLIENT[/DEVICE]"

func (c *command) deviceShow(args []string) int {
	fs := c.flags(deviceShowSynopsis, `Shows a device: its labels (reported and the operator's) and its latest
capabilities. CLIENT alone shows the client's device when it has one, and
lists its devices when it has several.`)
	pos, code := c.parse(fs, args, 1, 1)
	if code >= 0 {
		return code
	}
	ref, err := parseDeviceRef(pos[0])
	if err != nil {
		return c.usageError("%v", err)
	}
	ctx, cancel := c.context()
	defer cancel()
	var d fleet.Device
	var raw json.RawMessage
	if ref.DeviceID != "" {
		if d, err = c.api.Device(ctx, ref, operator.JSON(&raw)); err != nil {
			return c.fail(deviceNotFound(err, ref))
		}
	} else {
		devs, list, err := c.clientDevices(ctx, ref.ClientID)
		switch {
		case err != nil:
			return c.fail(err)
		case len(devs) == 0:
			return c.fail(noDevices(ref.ClientID))
		case len(devs) > 1:
			if err := c.emitList(list, len(devs), "devices", "", func(w io.Writer) { c.deviceTable(w, devs) }); err != nil {
				return c.fail(err)
			}
			fmt.Fprintf(c.stderr, "client %s has %d devices: show one with cadenza device show %s/DEVICE\n", ref.ClientID, len(devs), ref.ClientID)
			return 0
		}
		items, err := operator.Items(list)
		if err != nil || len(items) != 1 {
			return c.fail(fmt.Errorf("the listing of the devices of client %s is not the JSON expected", ref.ClientID))
		}
		d, raw = devs[0], items[0]
	}
	return c.done(c.emit(raw, func(w io.Writer) { c.describeDevice(w, d) }))
}

// describeDevice prints a device, its labels and its capabilities.
func (c *command) describeDevice(w io.Writer, d fleet.Device) {
	v := viewOf(d)
	f := &fields{}
	f.add("Client", d.ClientID)
	f.add("Device", d.DeviceID)
	if v.Vendor != "" || v.Model != "" {
		f.add("Model", strings.TrimSpace(v.Vendor+" "+v.Model))
	}
	if v.Serial != "" {
		f.add("Serial", v.Serial)
	}
	f.add("Revision", fmt.Sprint(d.Revision))
	f.add("Reported", when(d.Reported, c.now()))
	f.write(w)
	fmt.Fprintln(w)
	c.labelTable(w, d)
	if len(d.Capabilities) > 0 {
		if y, err := yaml.JSONToYAML(d.Capabilities); err == nil {
			fmt.Fprintf(w, "\nCapabilities:\n%s", indent(string(y), "  "))
		}
	}
}

// labelTable prints a device's effective labels and where each comes from.
func (c *command) labelTable(w io.Writer, d fleet.Device) {
	reported := viewOf(d).Labels
	eff := d.EffectiveLabels()
	if len(eff) == 0 {
		fmt.Fprintf(w, "Labels: %s\n", none)
		return
	}
	keys := make([]string, 0, len(eff))
	for k := range eff {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	t := newTable("LABEL", "VALUE", "SOURCE")
	for _, k := range keys {
		src := "device"
		if _, ok := d.Labels[k]; ok {
			src = "operator"
			if r, ok := reported[k]; ok {
				src = fmt.Sprintf("operator (device reports %s)", labelString(r))
			}
		}
		t.row(k, labelString(eff[k]), src)
	}
	t.write(w)
}

const deviceLabelSynopsis = "CLIENT[/DEVICE] k=v ... k- ..."

func (c *command) deviceLabel(args []string) int {
	fs := c.flags(deviceLabelSynopsis, `Sets (k=v) or removes (k-) operator labels of a device, like kubectl label.
Operator labels overlay the labels the device reports; deployments select
devices by these effective labels. Values are strings. CLIENT alone names the
client's device when it has exactly one.`)
	pos, code := c.parse(fs, args, 2, -1)
	if code >= 0 {
		return code
	}
	ref, err := parseDeviceRef(pos[0])
	if err != nil {
		return c.usageError("%v", err)
	}
	patch := map[string]any{}
	for _, a := range pos[1:] {
		var key string
		var value any
		if k, v, ok := strings.Cut(a, "="); ok {
			key, value = k, v
		} else if k, ok := strings.CutSuffix(a, "-"); ok {
			key = k
		} else {
			return c.usageError("%q: expected k=v to set a label or k- to remove it", a)
		}
		if key == "" {
			return c.usageError("%q: the label key is empty", a)
		}
		if _, dup := patch[key]; dup {
			return c.usageError("label %q is given twice", key)
		}
		patch[key] = value
	}
	ctx, cancel := c.context()
	defer cancel()
	if ref, err = c.resolveDevice(ctx, ref); err != nil {
		return c.fail(err)
	}
	var raw json.RawMessage
	d, err := c.api.LabelDevice(ctx, ref, patch, operator.JSON(&raw))
	if err != nil {
		return c.fail(deviceNotFound(err, ref))
	}
	return c.done(c.emit(raw, func(w io.Writer) {
		fmt.Fprintf(w, "device %s labeled\n", refOf(d))
		c.labelTable(w, d)
	}))
}
