package document

import (
	"encoding/json"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// CapabilitiesShape tells which of the capability document layouts a
// DeviceCapabilitiesManifest was parsed from.
type CapabilitiesShape string

// The layouts ParseCapabilities and ParseCapabilitiesP2 accept.
const (
	// ShapeP1Resources is the first P1 layout: properties.roles and
	// properties.resources{cpu, memory, storage, peripherals, interfaces}.
	ShapeP1Resources CapabilitiesShape = "p1-resources"
	// ShapeP1Flat is the P1 gateway-era layout: flat properties with cpus[],
	// memory, storage, otelCollector, supportedRuntimes, ...
	ShapeP1Flat CapabilitiesShape = "p1-flat"
	// ShapeP2 is the rc.3 layout: the flat properties without the envelope,
	// plus labels.
	ShapeP2 CapabilitiesShape = "p2"
)

// Device roles of the first P1 layout.
const (
	RoleStandaloneCluster = "Standalone Cluster"
	RoleClusterLeader     = "Cluster Leader"
	RoleStandaloneDevice  = "Standalone Device"
	RoleGateway           = "Gateway"
)

// DeviceCapabilitiesManifest is what a device reports about itself. One type
// holds every layout; Shape says which one was parsed, and only that layout's
// fields are set.
type DeviceCapabilitiesManifest struct {
	APIVersion string           `json:"apiVersion,omitempty"`
	Kind       string           `json:"kind,omitempty"`
	Properties DeviceProperties `json:"properties"`
	// Labels (P2 only) are supplier-defined values for eligibility rules:
	// string, number (float64), bool, or a list of strings or numbers.
	Labels map[string]any `json:"labels,omitempty"`

	// Shape is the layout the document was parsed from.
	Shape CapabilitiesShape `json:"-"`
	// Extensions holds the top-level vendor members (names starting "x-").
	Extensions map[string]json.RawMessage `json:"-"`
}

// DeviceProperties are the properties of a device. Identity fields are always
// set; roles and resources come from the first P1 layout, the others from the
// flat layouts.
type DeviceProperties struct {
	ID           string `json:"id"`
	Vendor       string `json:"vendor"`
	ModelNumber  string `json:"modelNumber"`
	SerialNumber string `json:"serialNumber"`

	// First P1 layout.
	Roles     []string   `json:"roles,omitempty"`
	Resources *Resources `json:"resources,omitempty"`

	// Flat layouts (P1 gateway era and P2).
	CPUs                     []CPU        `json:"cpus,omitempty"`
	Memory                   string       `json:"memory,omitempty"`
	Storage                  string       `json:"storage,omitempty"`
	Peripherals              []Peripheral `json:"peripherals,omitempty"`
	Interfaces               []Interface  `json:"interfaces,omitempty"`
	OTelCollector            *bool        `json:"otelCollector,omitempty"`
	SupportedRuntimes        []string     `json:"supportedRuntimes,omitempty"`
	SupportedDeploymentTypes []string     `json:"supportedDeploymentTypes,omitempty"`
}

// Resources are the resources of the first P1 layout.
type Resources struct {
	CPU         CPU          `json:"cpu"`
	Memory      string       `json:"memory"`
	Storage     string       `json:"storage"`
	Peripherals []Peripheral `json:"peripherals,omitempty"`
	Interfaces  []Interface  `json:"interfaces,omitempty"`
}

// CPU describes processor capacity delegated to Margo. Cores may be
// fractional (0.5 is half a core).
type CPU struct {
	Cores        float64 `json:"cores"`
	Architecture string  `json:"architecture,omitempty"`
	// Architectures is the list form of the first P1 layout's
	// resources.cpu in the generation whose schemas are generated from the
	// spec's data model (one CPU class shared with application
	// requirements). It is validated like Architecture; the flat layouts
	// (cpus[]) have no such member.
	Architectures []string `json:"architectures,omitempty"`
}

// Peripheral is a peripheral device (gpu, display, camera, microphone, speaker).
type Peripheral struct {
	Type         string `json:"type"`
	Manufacturer string `json:"manufacturer,omitempty"`
	Model        string `json:"model,omitempty"`
}

// Interface is a communication interface (ethernet, wifi, cellular,
// bluetooth, usb, canbus, rs232).
type Interface struct {
	Type string `json:"type"`
}

// Hosting reports whether the device hosts workloads: in the first layout,
// it has a role other than Gateway; in the flat layouts, it reports any
// hosting field.
func (c *DeviceCapabilitiesManifest) Hosting() bool {
	if c.Shape == ShapeP1Resources {
		for _, r := range c.Properties.Roles {
			if r != RoleGateway {
				return true
			}
		}
		return false
	}
	p := &c.Properties
	return len(p.CPUs) > 0 || p.Memory != "" || p.Storage != "" ||
		(p.OTelCollector != nil && *p.OTelCollector) ||
		len(p.SupportedRuntimes) > 0 || len(p.SupportedDeploymentTypes) > 0
}

// ParseCapabilities parses and validates a P1 DeviceCapabilitiesManifest in
// either P1 layout. The layout is the first one when properties has roles or
// resources, else the gateway-era flat one. See the package documentation for
// the strictness of each. In both, apiVersion is any non-empty string (the
// spec schemas type it as a free string) and kind is exactly
// DeviceCapabilitiesManifest.
//
// In the flat layout a device that reports any hosting field (cpus, memory,
// storage, otelCollector true, supportedRuntimes, supportedDeploymentTypes)
// must report them all, non-empty, with otelCollector true; a device that
// hosts nothing sends the identity fields only (empty values are allowed).
func ParseCapabilities(body []byte) (*DeviceCapabilitiesManifest, error) {
	raw, vs, err := decodeBody(body, "device capabilities")
	if err != nil {
		return nil, err
	}
	shape, schema := ShapeP1Flat, schemaCapsFlat
	if props, ok := member(raw, "properties"); ok {
		_, hasRoles := member(props, "roles")
		_, hasResources := member(props, "resources")
		if hasRoles || hasResources {
			shape, schema = ShapeP1Resources, schemaCapsResources
		}
	}
	return finish(body, raw, vs, schema, capabilitiesCheck(shape))
}

// ParseCapabilitiesP2 parses and validates a P2 (rc.3) capabilities body: no
// envelope, flat properties, labels and x-<name>-extensions.
func ParseCapabilitiesP2(body []byte) (*DeviceCapabilitiesManifest, error) {
	raw, vs, err := decodeBody(body, "device capabilities")
	if err != nil {
		return nil, err
	}
	return finish(body, raw, vs, schemaCapsP2, capabilitiesCheck(ShapeP2))
}

// capabilitiesCheck returns the semantic checks for a layout.
func capabilitiesCheck(shape CapabilitiesShape) func(*DeviceCapabilitiesManifest, any, *violations) {
	return func(c *DeviceCapabilitiesManifest, raw any, vs *violations) {
		c.Shape = shape
		if obj, ok := raw.(map[string]any); ok {
			for k := range obj {
				if strings.HasPrefix(k, "x-") {
					if c.Extensions == nil {
						c.Extensions = map[string]json.RawMessage{}
					}
					c.Extensions[k], _ = json.Marshal(obj[k])
				}
			}
		}
		if shape == ShapeP1Resources {
			// The layout is open: drop members of the other layouts that the
			// schema did not validate.
			p := &c.Properties
			p.CPUs, p.Memory, p.Storage, p.Peripherals, p.Interfaces = nil, "", "", nil, nil
			p.OTelCollector, p.SupportedRuntimes, p.SupportedDeploymentTypes = nil, nil, nil
			c.Labels = nil
			return
		}
		props, _ := member(raw, "properties")
		checkHostingFields(c, props, vs)
	}
}

// checkHostingFields enforces that a hosting device in a flat layout reports
// every hosting field. props is the raw properties object; members present
// with a wrong type are left to the schema's report.
func checkHostingFields(c *DeviceCapabilitiesManifest, props any, vs *violations) {
	if !c.Hosting() {
		return
	}
	for _, name := range []string{"cpus", "memory", "storage", "supportedRuntimes", "supportedDeploymentTypes"} {
		if missingOrEmpty(props, name) {
			vs.add(path("properties").key(name), "a device that hosts workloads must report it, not empty")
		}
	}
	if v, ok := member(props, "otelCollector"); !ok || v == false {
		vs.add("properties.otelCollector", "a device that hosts workloads must report true")
	}
}

// missingOrEmpty reports whether obj lacks name or has it as "", [] or null.
func missingOrEmpty(obj any, name string) bool {
	v, ok := member(obj, name)
	if !ok || v == nil {
		return true
	}
	switch v := v.(type) {
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	}
	return false
}

// ValidateCapabilities checks the rules that relate a capabilities document
// to its request: properties.id equals the deviceId of the path (""
// skips the check). Use Unprocessable to turn the result into the 422 error.
func ValidateCapabilities(c *DeviceCapabilitiesManifest, pathDeviceID string) []fault.Violation {
	var vs violations
	if pathDeviceID != "" && c.Properties.ID != "" && c.Properties.ID != pathDeviceID {
		vs.add("properties.id", "must equal the device id in the request path (%s)", quoteValue(pathDeviceID))
	}
	return normalize(vs)
}
