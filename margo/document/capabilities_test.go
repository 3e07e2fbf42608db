package document

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

func TestParseCapabilities_ValidExamples(t *testing.T) {
	cases := []struct {
		file    string
		p2      bool
		shape   CapabilitiesShape
		hosting bool
	}{
		{"capabilities-p1-resources.json", false, ShapeP1Resources, true},
		{"capabilities-p1-flat.json", false, ShapeP1Flat, true},
		{"capabilities-gateway-identity.json", false, ShapeP1Flat, false},
		{"capabilities-p2.json", true, ShapeP2, true},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			parse := ParseCapabilities
			if c.p2 {
				parse = ParseCapabilitiesP2
			}
			got, err := parse(readFile(t, c.file))
			if err != nil {
				t.Fatalf("err = %v%s", err, fields(fault.As(err).Violations))
			}
			if got.Shape != c.shape || got.Hosting() != c.hosting {
				t.Errorf("shape %s hosting %v, want %s %v", got.Shape, got.Hosting(), c.shape, c.hosting)
			}
			if got.Properties.ID == "" || got.Properties.Vendor == "" {
				t.Errorf("identity not decoded: %+v", got.Properties)
			}
		})
	}
}

func TestParseCapabilities_FirstShapeDecodes(t *testing.T) {
	c, err := ParseCapabilities(readFile(t, "capabilities-p1-resources.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Properties.Resources
	if r == nil || r.CPU.Cores != 24 || r.CPU.Architecture != "x86_64" || r.Memory != "59 Gi" ||
		len(r.Peripherals) != 1 || len(r.Interfaces) != 2 {
		t.Fatalf("resources = %+v", r)
	}
}

func TestParseCapabilities_GatewayEraKeepsExtensions(t *testing.T) {
	c, err := ParseCapabilities(readFile(t, "capabilities-p1-flat.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(c.Extensions["x-northstar-extensions"]) != `{"rack":"B4"}` {
		t.Fatalf("extensions = %s", c.Extensions)
	}
}

// Each case breaks one rule of §5.1 and expects 422 with a violation at field.
func TestParseCapabilities_Violations(t *testing.T) {
	first := readFile(t, "capabilities-p1-resources.json")
	flat := readFile(t, "capabilities-p1-flat.json")
	cases := []struct {
		name, field string
		doc         []byte
	}{
		{"envelope apiVersion not empty", "apiVersion", patch(t, flat, `"device.margo.org/v1alpha1"`, `""`)},
		{"envelope apiVersion a string", "apiVersion", patch(t, first, `"device.margo.org/v1alpha1"`, `1`)},
		{"envelope kind exact", "kind", patch(t, first, `"DeviceCapabilitiesManifest"`, `"DeviceCapabilities"`)},
		{"envelope apiVersion required", "apiVersion", patch(t, flat, `"apiVersion": "device.margo.org/v1alpha1",`, ``)},
		{"properties required", "properties", []byte(`{"apiVersion":"device.margo.org/v1alpha1","kind":"DeviceCapabilitiesManifest"}`)},
		{"identity id required", "properties.id", patch(t, flat, `"id": "northstarida.xtapro.k8s.edge",`, ``)},
		{"identity vendor required", "properties.vendor", patch(t, first, `"vendor": "Northstar Industrial devices",`, ``)},
		{"identity serialNumber non-empty", "properties.serialNumber", patch(t, flat, `"PF45343-AA"`, `""`)},
		{"id is unreserved characters", "properties.id", patch(t, flat, `"northstarida.xtapro.k8s.edge"`, `"edge 01"`)},
		{"role enum", "properties.roles[1]", patch(t, first, `"Cluster Leader"`, `"cluster leader"`)},
		{"roles not empty", "properties.roles", patch(t, first, `["Standalone Cluster", "Cluster Leader"]`, `[]`)},
		{"roles unique", "properties.roles", patch(t, first, `"Cluster Leader"]`, `"Standalone Cluster"]`)},
		{"resources required for hosting roles", "properties.resources", []byte(`{"apiVersion":"device.margo.org/v1alpha1","kind":"DeviceCapabilitiesManifest","properties":{"id":"a","vendor":"v","modelNumber":"m","serialNumber":"s","roles":["Standalone Device"]}}`)},
		{"first shape cpu is an object", "properties.resources.cpu", patch(t, first, `"cpu": {"cores": 24, "architecture": "x86_64"}`, `"cpu": [{"cores": 24}]`)},
		{"first shape cores required", "properties.resources.cpu.cores", patch(t, first, `"cores": 24, `, ``)},
		{"first shape arch enum", "properties.resources.cpu.architecture", patch(t, first, `"x86_64"`, `"riscv64"`)},
		{"memory binary units", "properties.resources.memory", patch(t, first, `"59 Gi"`, `"59GB"`)},
		{"storage binary units", "properties.storage", patch(t, flat, `"1862 Gi"`, `"1.8 TB"`)},
		{"peripheral enum", "properties.resources.peripherals[0].type", patch(t, first, `"gpu"`, `"GPU"`)},
		{"interface enum", "properties.interfaces[1].type", patch(t, flat, `"wifi"`, `"zigbee"`)},
		{"gateway-era arch enum has no x86_64", "properties.cpus[0].architecture", patch(t, flat, `"amd64"`, `"x86_64"`)},
		{"cpus cores required", "properties.cpus[0].cores", patch(t, flat, `"cores": 24, `, ``)},
		{"cores positive", "properties.cpus[0].cores", patch(t, flat, `"cores": 24`, `"cores": 0`)},
		{"runtime enum rejects containerd-direct", "properties.supportedRuntimes[0]", patch(t, flat, `["oci"]`, `["containerd-direct"]`)},
		{"deployment type enum rejects docker-swarm", "properties.supportedDeploymentTypes[1]", patch(t, flat, `"compose"]`, `"docker-swarm"]`)},
		{"otelCollector boolean", "properties.otelCollector", patch(t, flat, `"otelCollector": true`, `"otelCollector": "yes"`)},
		{"hosting device reports otelCollector true", "properties.otelCollector", patch(t, flat, `"otelCollector": true`, `"otelCollector": false`)},
		{"hosting device reports a runtime", "properties.supportedRuntimes", patch(t, flat, `["oci"]`, `[]`)},
		{"hosting device reports deployment types", "properties.supportedDeploymentTypes", patch(t, flat, `"supportedDeploymentTypes": ["helm", "compose"]`, `"x-note": 1`)},
		{"gateway era closed: unknown property", "properties.cpu", patch(t, flat, `"cpus"`, `"cpu"`)},
		{"gateway era closed: unknown top-level member", "extra", patch(t, flat, `"x-northstar-extensions"`, `"extra"`)},
		{"gateway era closed: unknown peripheral member", "properties.peripherals[0].vendor", patch(t, flat, `"manufacturer"`, `"vendor"`)},
		{"member names are case-sensitive", "properties.Vendor", patch(t, first, `"vendor"`, `"Vendor"`)},
		{"duplicate member names", "properties.vendor", patch(t, first, `"vendor": "Northstar Industrial devices",`, `"vendor": "a", "vendor": "b",`)},
		{"not an object", RootField, []byte(`[1,2]`)},
		{"null", RootField, []byte(`null`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCapabilities(c.doc)
			vs := want422(t, err)
			if !hasField(vs, c.field) {
				t.Fatalf("no violation at %s:%s", c.field, fields(vs))
			}
		})
	}
}

func TestParseCapabilities_FirstShapeIsOpen(t *testing.T) {
	doc := patch(t, readFile(t, "capabilities-p1-resources.json"), `"roles"`, `"firmware": {"v": 2}, "cpus": [{"cores": -1}], "roles"`)
	c, err := ParseCapabilities(doc)
	if err != nil {
		t.Fatalf("unknown members must be ignored in the first shape: %v", err)
	}
	if c.Properties.CPUs != nil {
		t.Fatal("members of the other layout must not leak into the result")
	}
}

func TestParseCapabilities_AllViolationsReported(t *testing.T) {
	doc := []byte(`{"apiVersion":"device.margo.org/v1alpha1","kind":"DeviceCapabilitiesManifest","properties":{
		"id":"a","vendor":"v","modelNumber":"m","serialNumber":"s",
		"cpus":[{"cores":2,"architecture":"mips"}],"memory":"1GB","storage":"1Gi","otelCollector":true,
		"supportedRuntimes":["containerd-direct"],"supportedDeploymentTypes":["docker-swarm"],
		"interfaces":[{"type":"zigbee"}]}}`)
	_, err := ParseCapabilities(doc)
	vs := want422(t, err)
	for _, f := range []string{"properties.cpus[0].architecture", "properties.memory", "properties.supportedRuntimes[0]",
		"properties.supportedDeploymentTypes[0]", "properties.interfaces[0].type"} {
		if !hasField(vs, f) {
			t.Errorf("no violation at %s:%s", f, fields(vs))
		}
	}
	if len(vs) != 5 {
		t.Errorf("got %d violations, want 5:%s", len(vs), fields(vs))
	}
}

func TestParseCapabilities_NonHostingGatewayMayOmitOrEmpty(t *testing.T) {
	doc := []byte(`{"apiVersion":"device.margo.org/v1alpha1","kind":"DeviceCapabilitiesManifest","properties":{
		"id":"gw","vendor":"v","modelNumber":"m","serialNumber":"s","cpus":[],"memory":"","storage":"",
		"otelCollector":false,"supportedRuntimes":[],"supportedDeploymentTypes":[]}}`)
	c, err := ParseCapabilities(doc)
	if err != nil {
		t.Fatal(err)
	}
	if c.Hosting() {
		t.Fatal("empty hosting fields mean not hosting")
	}
}

func TestParseCapabilities_UnparseableIs400(t *testing.T) {
	for _, body := range []string{``, `{`, `{"a":1} {}`, `{"a":1}x`, "\xff"} {
		_, err := ParseCapabilities([]byte(body))
		wantViolations(t, err, fault.BadRequest, ProblemInvalidRequest)
	}
}

func TestParseCapabilitiesP2(t *testing.T) {
	p2 := readFile(t, "capabilities-p2.json")
	cases := []struct {
		name, field string
		doc         []byte
	}{
		{"no envelope", "apiVersion", patch(t, p2, `"properties": {`, `"apiVersion": "device.margo.org/v1alpha1", "properties": {`)},
		{"runtime enum rejects containerd-direct", "properties.supportedRuntimes[0]", patch(t, p2, `["oci"]`, `["containerd-direct"]`)},
		{"deployment type enum rejects docker-swarm", "properties.supportedDeploymentTypes[0]", patch(t, p2, `"compose", "custom"`, `"docker-swarm"`)},
		{"extensions named x-<name>-extensions", "x-acme", patch(t, p2, `"x-acme-extensions"`, `"x-acme"`)},
		{"extensions are objects", "x-acme-extensions", patch(t, p2, `{"firmware": "4.2"}`, `"4.2"`)},
		{"label values are scalars or lists", "labels.site", patch(t, p2, `"plant-7"`, `{"a": 1}`)},
		{"label values are never null", `labels["a.b/c"]`, patch(t, p2, `"site": "plant-7"`, `"a.b/c": null`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCapabilitiesP2(c.doc)
			vs := want422(t, err)
			if !hasField(vs, c.field) {
				t.Fatalf("no violation at %s:%s", c.field, fields(vs))
			}
		})
	}
}

func TestValidateCapabilities_PathDeviceID(t *testing.T) {
	c, err := ParseCapabilities(readFile(t, "capabilities-gateway-identity.json"))
	if err != nil {
		t.Fatal(err)
	}
	if vs := ValidateCapabilities(c, "gateway1"); len(vs) != 0 {
		t.Fatalf("matching id: %v", vs)
	}
	if vs := ValidateCapabilities(c, ""); len(vs) != 0 {
		t.Fatalf("unknown path id: %v", vs)
	}
	vs := ValidateCapabilities(c, "gateway2")
	if !hasField(vs, "properties.id") {
		t.Fatalf("mismatch not reported: %v", vs)
	}
	if err := Unprocessable(vs); fault.CodeOf(err) != fault.Unprocessable {
		t.Fatalf("Unprocessable = %v", err)
	}
	if Unprocessable(nil) != nil {
		t.Fatal("Unprocessable(nil) must be nil")
	}
}
