package sync

import (
	"encoding/json"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/managers/sync/inventory"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/profile"
)

// Capabilities layouts the agent can send (config capabilitiesShape).
const (
	// ShapeResources is the first P1 layout (properties.roles and
	// properties.resources); it has no field for the deployment types.
	ShapeResources = "resources"
	// ShapeFlat is the later P1 layout: flat properties with cpus[],
	// otelCollector, supportedRuntimes and supportedDeploymentTypes.
	ShapeFlat = "flat"
	// ShapeAuto (the default) is flat when the device reports an
	// OpenTelemetry collector (device.otelCollector), which the flat
	// layout requires of a workload-hosting device, and the first layout
	// otherwise: the agent never reports a collector it does not have.
	ShapeAuto = "auto"
	// ShapeRC3 is the rc.3 layout: the flat properties without the
	// envelope, plus labels (the rc.3 profile always sends it).
	ShapeRC3 = "rc.3"
)

// capabilitiesShape resolves the configured layout.
func capabilitiesShape(c *Config) string {
	if c.Profile == ProfileRC3 {
		return ShapeRC3
	}
	if c.CapabilitiesShape == ShapeAuto {
		if c.Device.OTelCollector != nil && *c.Device.OTelCollector {
			return ShapeFlat
		}
		return ShapeResources
	}
	return c.CapabilitiesShape
}

// buildCapabilities is the P1 DeviceCapabilitiesManifest, in the layout
// the config asks for, from discovery, the config and the bound workload
// runtimes, validated with margo/document before it is ever sent.
func buildCapabilities(h inventory.Host, d DeviceConfig, deviceID, shape string, rt runtimes) ([]byte, error) {
	cpu := document.CPU{Cores: h.Cores, Architecture: h.Architecture}
	if d.Cores > 0 {
		cpu.Cores = d.Cores
	}
	if d.Architecture != "" {
		cpu.Architecture = d.Architecture
	}
	memory := firstNonEmpty(d.Memory, inventory.Quantity(h.MemoryBytes))
	storage := firstNonEmpty(d.Storage, inventory.Quantity(h.StorageBytes))
	var peripherals []document.Peripheral
	for _, g := range h.GPUs {
		peripherals = append(peripherals, document.Peripheral{Type: "gpu", Manufacturer: g.Manufacturer, Model: g.Model})
	}
	peripherals = append(peripherals, d.Peripherals...)
	var interfaces []document.Interface
	for _, t := range h.Interfaces {
		interfaces = append(interfaces, document.Interface{Type: t})
	}
	interfaces = append(interfaces, d.Interfaces...)
	props := document.DeviceProperties{
		ID: deviceID, Vendor: firstNonEmpty(d.Vendor, h.Vendor, "unknown"), ModelNumber: firstNonEmpty(d.Model, h.Model, "unknown"),
		SerialNumber: firstNonEmpty(d.Serial, h.Serial, "unknown"),
	}
	switch shape {
	case ShapeFlat, ShapeRC3:
		allowed := profile.FlatDeploymentTypes
		if shape == ShapeRC3 {
			allowed = profile.P2DeploymentTypes
		}
		// A device that runs no workload reports its identity only.
		if types := rt.deploymentTypes(allowed); len(types) > 0 {
			props.CPUs = []document.CPU{cpu}
			props.Memory, props.Storage = memory, storage
			props.Peripherals, props.Interfaces = peripherals, interfaces
			props.OTelCollector = d.OTelCollector
			props.SupportedRuntimes = []string{"oci"}
			props.SupportedDeploymentTypes = types
		}
	default:
		props.Roles = d.Roles
		if len(props.Roles) == 0 {
			props.Roles = []string{document.RoleStandaloneDevice}
		}
		props.Resources = &document.Resources{CPU: cpu, Memory: memory, Storage: storage, Peripherals: peripherals, Interfaces: interfaces}
	}
	doc := document.DeviceCapabilitiesManifest{
		APIVersion: document.CapabilitiesAPIVersion, Kind: document.CapabilitiesKind, Labels: d.Labels, Properties: props,
	}
	parse := document.ParseCapabilities
	if shape == ShapeRC3 {
		doc.APIVersion, doc.Kind, parse = "", "", document.ParseCapabilitiesP2
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "encode the capabilities")
	}
	if _, err := parse(b); err != nil {
		return nil, err
	}
	return b, nil
}
