package main

// cadenza device list|show|label: devices and their labels (GET /devices,
// GET and PATCH /clients/{clientId}/devices/{deviceId}).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// apiDevice is a Device of the operator API.
type apiDevice struct {
	ClientID     string          `json:"clientId"`
	DeviceID     string          `json:"deviceId"`
	Capabilities json.RawMessage `json:"capabilities"`
	Reported     time.Time       `json:"reported"`
	Revision     uint64          `json:"revision"`
	Labels       map[string]any  `json:"labels,omitempty"` // the operator's
}

// capabilities are the members of the capabilities document shown.
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

func (d apiDevice) view() capabilitiesView {
	var v capabilitiesView
	_ = json.Unmarshal(d.Capabilities, &v) // a document without these members shows none
	if v.Vendor == "" {
		v.Vendor, v.Model, v.Serial = v.Properties.Vendor, v.Properties.Model, v.Properties.Serial
	}
	return v
}

// effectiveLabels are the reported labels overlaid with the operator's.
func (d apiDevice) effectiveLabels() map[string]any {
	out := map[string]any{}
	for k, v := range d.view().Labels {
		out[k] = v
	}
	for k, v := range d.Labels {
		out[k] = v
	}
	return out
}

func (d apiDevice) ref() deviceRef { return deviceRef{ClientID: d.ClientID, DeviceID: d.DeviceID} }

func deviceNotFound(d deviceRef) string {
	return fmt.Sprintf("list the devices of client %s with `cadenza device list --client %s`", d.ClientID, d.ClientID)
}

const deviceListSynopsis = "[--client C] [-l k=v ...]"

func (c *ctl) deviceList(args []string) int {
	fs := c.flags()
	client := fs.String("client", "", "only the devices of this `CLIENT`")
	var sel stringList
	fs.Var(&sel, "l", "label filter `k=v` (the label's string form) or k (label present); repeat or comma-separate, all must match")
	fs.Var(&sel, "selector", "`SELECTOR`: same as -l")
	if _, code := c.parse(fs, args, 0, 0, deviceListSynopsis, "Lists devices with their effective labels (reported, overlaid with the operator's)."); code >= 0 {
		return code
	}
	q := url.Values{}
	if *client != "" {
		q.Set("clientId", *client)
	}
	for _, s := range sel {
		reqs, err := parseSelector(s)
		if err != nil {
			return c.usageError(deviceListSynopsis, "-l %q: %v", s, err)
		}
		for _, r := range reqs {
			switch r.op {
			case "=":
				q.Add("label", r.key+"="+r.values[0])
			case "exists":
				q.Add("label", r.key)
			default:
				return c.usageError(deviceListSynopsis, "-l %q: device list filters by k=v or k only", s)
			}
		}
	}
	ctx, cancel := c.context()
	defer cancel()
	raw, devs, err := listOf[apiDevice](ctx, c, "/devices", q)
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emitList(raw, "devices", "", func(w io.Writer) { c.deviceTable(w, devs) }))
}

func (c *ctl) deviceTable(w io.Writer, devs []apiDevice) {
	t := newTable("CLIENT", "DEVICE", "LABELS", "REVISION", "REPORTED")
	for _, d := range devs {
		t.row(d.ClientID, d.DeviceID, orNone(keyValues(d.effectiveLabels(), labelString)), fmt.Sprint(d.Revision), age(d.Reported, c.now()))
	}
	t.write(w)
}

const deviceShowSynopsis = "CLIENT[/DEVICE]"

func (c *ctl) deviceShow(args []string) int {
	fs := c.flags()
	pos, code := c.parse(fs, args, 1, 1, deviceShowSynopsis, `Shows a device: its labels (reported and the operator's) and its latest
capabilities. CLIENT alone shows the client's device when it has one, and
lists its devices when it has several.`)
	if code >= 0 {
		return code
	}
	ref, err := parseDeviceRef(pos[0])
	if err != nil {
		return c.usageError(deviceShowSynopsis, "%v", err)
	}
	ctx, cancel := c.context()
	defer cancel()
	var d apiDevice
	var raw []byte
	if ref.DeviceID != "" {
		if raw, err = c.get(ctx, devicePath(ref), nil, deviceNotFound(ref), &d); err != nil {
			return c.fail(err)
		}
	} else {
		devs, items, err := c.clientDevices(ctx, ref.ClientID)
		switch {
		case err != nil:
			return c.fail(err)
		case len(devs) == 0:
			return c.fail(c.noDevices(ref.ClientID))
		case len(devs) > 1:
			if err := c.emitList(items, "devices", "", func(w io.Writer) { c.deviceTable(w, devs) }); err != nil {
				return c.fail(err)
			}
			fmt.Fprintf(c.stderr, "client %s has %d devices: show one with cadenza device show %s/DEVICE\n", ref.ClientID, len(devs), ref.ClientID)
			return 0
		}
		d, raw = devs[0], items[0]
	}
	return c.done(c.emit(raw, func(w io.Writer) { c.describeDevice(w, d) }))
}

// describeDevice prints a device, its labels and its capabilities.
func (c *ctl) describeDevice(w io.Writer, d apiDevice) {
	v := d.view()
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
func (c *ctl) labelTable(w io.Writer, d apiDevice) {
	reported := d.view().Labels
	eff := d.effectiveLabels()
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

func (c *ctl) deviceLabel(args []string) int {
	fs := c.flags()
	pos, code := c.parse(fs, args, 2, -1, deviceLabelSynopsis, `Sets (k=v) or removes (k-) operator labels of a device, like kubectl label.
Operator labels overlay the labels the device reports; deployments select
devices by these effective labels. Values are strings. CLIENT alone names the
client's device when it has exactly one.`)
	if code >= 0 {
		return code
	}
	ref, err := parseDeviceRef(pos[0])
	if err != nil {
		return c.usageError(deviceLabelSynopsis, "%v", err)
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
			return c.usageError(deviceLabelSynopsis, "%q: expected k=v to set a label or k- to remove it", a)
		}
		if key == "" {
			return c.usageError(deviceLabelSynopsis, "%q: the label key is empty", a)
		}
		if _, dup := patch[key]; dup {
			return c.usageError(deviceLabelSynopsis, "label %q is given twice", key)
		}
		patch[key] = value
	}
	ctx, cancel := c.context()
	defer cancel()
	if ref, err = c.resolveDevice(ctx, ref); err != nil {
		return c.fail(err)
	}
	var d apiDevice
	raw, _, err := c.send(ctx, request{method: http.MethodPatch, path: devicePath(ref), body: map[string]any{"labels": patch},
		contentType: "application/merge-patch+json", notFound: deviceNotFound(ref)}, &d)
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emit(raw, func(w io.Writer) {
		fmt.Fprintf(w, "device %s labeled\n", d.ref())
		c.labelTable(w, d)
	}))
}

// selectorReq is one requirement of a label selector: op is "=", "!=",
// "in", "notin", "exists" or "!exists".
type selectorReq struct {
	key, op string
	values  []string
}

// parseSelector parses a kubectl-style label selector: comma-separated
// k=v, k==v, k!=v, k, !k, "k in (a,b)", "k notin (a,b)".
func parseSelector(s string) ([]selectorReq, error) {
	var out []selectorReq
	for _, part := range splitSelector(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("empty requirement")
		}
		var r selectorReq
		switch {
		case strings.HasPrefix(part, "!"):
			r = selectorReq{key: strings.TrimSpace(part[1:]), op: "!exists"}
		case strings.Contains(part, "!="):
			k, v, _ := strings.Cut(part, "!=")
			r = selectorReq{key: strings.TrimSpace(k), op: "!=", values: []string{strings.TrimSpace(v)}}
		case strings.Contains(part, "="):
			k, v, _ := strings.Cut(part, "=")
			r = selectorReq{key: strings.TrimSpace(k), op: "=", values: []string{strings.TrimSpace(strings.TrimPrefix(v, "="))}}
		default:
			fieldsOf := strings.Fields(part)
			switch {
			case len(fieldsOf) == 1:
				r = selectorReq{key: part, op: "exists"}
			case len(fieldsOf) >= 2 && (fieldsOf[1] == "in" || strings.HasPrefix(fieldsOf[1], "in(") ||
				fieldsOf[1] == "notin" || strings.HasPrefix(fieldsOf[1], "notin(")):
				op := "in"
				rest := strings.TrimSpace(strings.TrimPrefix(part, fieldsOf[0]))
				if strings.HasPrefix(rest, "notin") {
					op = "notin"
				}
				rest = strings.TrimSpace(strings.TrimPrefix(rest, op))
				if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
					return nil, fmt.Errorf("%q: expected %s %s (a,b)", part, fieldsOf[0], op)
				}
				var vals []string
				for _, v := range strings.Split(rest[1:len(rest)-1], ",") {
					if v = strings.TrimSpace(v); v != "" {
						vals = append(vals, v)
					}
				}
				if len(vals) == 0 {
					return nil, fmt.Errorf("%q: no values in the parentheses", part)
				}
				r = selectorReq{key: fieldsOf[0], op: op, values: vals}
			default:
				return nil, fmt.Errorf("%q: expected k=v, k!=v, k, !k, k in (a,b) or k notin (a,b)", part)
			}
		}
		if r.key == "" {
			return nil, fmt.Errorf("%q: the label key is empty", part)
		}
		out = append(out, r)
	}
	return out, nil
}

// splitSelector splits at the commas outside parentheses.
func splitSelector(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}
