package eligibility

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// Device is what Check knows of a device: its capability properties and its
// labels, in generic JSON form (map[string]any, []any, string, bool, nil,
// and numbers as json.Number from NewDevice; float64 and Go integers are
// accepted too).
type Device struct {
	Properties map[string]any
	Labels     map[string]any
}

// NewDevice reads a capabilities document as the device sent it: P1
// {apiVersion, kind, properties} in either layout, or P2 {properties,
// labels}. Labels are the document's labels overlaid by operatorLabels (the
// operator's value wins). Numbers decode as json.Number. The document is
// not validated beyond its shape (margo/document does that on receipt); a
// document that is not a JSON object with a properties object gives
// fault.BadRequest.
func NewDevice(raw json.RawMessage, operatorLabels map[string]any) (*Device, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fault.Wrap(err, fault.BadRequest, "device capabilities are not a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fault.New(fault.BadRequest, "device capabilities have data after the JSON object")
	}
	if doc == nil {
		return nil, fault.New(fault.BadRequest, "device capabilities are null, not a JSON object")
	}
	props, ok := doc["properties"].(map[string]any)
	if !ok {
		return nil, fault.New(fault.BadRequest, "device capabilities have no properties object")
	}
	d := &Device{Properties: props, Labels: map[string]any{}}
	switch l := doc["labels"].(type) {
	case nil:
	case map[string]any:
		maps.Copy(d.Labels, l)
	default:
		return nil, fault.New(fault.BadRequest, "device capabilities labels must be an object")
	}
	maps.Copy(d.Labels, operatorLabels)
	liftResources(props)
	return d, nil
}

// liftResources copies the members of a first-layout P1 properties.resources
// to the top of properties where absent, cpu becoming cpus (a one-entry list
// unless the device sent a list).
func liftResources(props map[string]any) {
	res, ok := props["resources"].(map[string]any)
	if !ok {
		return
	}
	if cpu, ok := res["cpu"]; ok && props["cpus"] == nil {
		if _, isList := cpu.([]any); isList {
			props["cpus"] = cpu
		} else {
			props["cpus"] = []any{cpu}
		}
	}
	for _, k := range []string{"memory", "storage", "peripherals", "interfaces"} {
		if v, ok := res[k]; ok && props[k] == nil {
			props[k] = v
		}
	}
}

// figure returns the device's properties.<name>, or else
// properties.resources.<name> (first P1 layout).
func (d *Device) figure(name string) (any, bool) {
	if v := d.Properties[name]; v != nil {
		return v, true
	}
	if res, ok := d.Properties["resources"].(map[string]any); ok {
		if v := res[name]; v != nil {
			return v, true
		}
	}
	return nil, false
}

// cpuEntry is one cpu the device reports. hasCores is false when the entry
// gives no usable core count.
type cpuEntry struct {
	cores    float64
	hasCores bool
	arch     string   // normalised; the first of archs when a list is given
	archs    []string // normalised: every architecture the entry runs
}

// cpus returns the device's cpu entries: properties.cpus[] (flat layouts)
// or properties.resources.cpu (first P1 layout; an object, or a list as the
// spec page's own example sends it).
func (d *Device) cpus() []cpuEntry {
	v, ok := d.Properties["cpus"]
	if !ok || v == nil {
		v, _ = d.figure("cpu")
	}
	list, isList := v.([]any)
	if !isList && v != nil {
		list = []any{v}
	}
	out := make([]cpuEntry, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		var c cpuEntry
		c.cores, c.hasCores = number(m["cores"])
		if a, ok := m["architecture"].(string); ok {
			c.arch = normalArch(a)
			c.archs = []string{c.arch}
		} else if list, ok := m["architectures"].([]any); ok {
			// The data-model generation of the first layout lists them.
			for _, v := range list {
				if a, ok := v.(string); ok {
					c.archs = append(c.archs, normalArch(a))
				}
			}
			if len(c.archs) > 0 {
				c.arch = c.archs[0]
			}
		}
		out = append(out, c)
	}
	return out
}
