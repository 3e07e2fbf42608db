package document

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/specexample"
)

// interopDir holds example documents written by us in the shapes of the
// generations the specification repository's own valid/invalid examples use
// (P1 OpenAPI, the LinkML data model and its examples, the P1 pages, rc.3).
// valid/ and invalid/ mirror the spec repository's layout.
const interopDir = "testdata/interop"

// specExamples lists every file under interopDir. Files whose name starts
// with capabilities-p2 or status-p2 are read by the P2 parsers.
var specExamples = []specexample.Example{
	// Capabilities: the first P1 shape with architecture (P1 OpenAPI) or
	// with the architectures list (data-model generation), the gateway-era
	// flat shape, rc.3. apiVersion is a free non-empty string.
	{File: "valid/capabilities-p1-resources.json", Read: string(ShapeP1Resources)},
	{File: "valid/capabilities-model-architectures.json", Read: string(ShapeP1Resources)},
	{File: "valid/capabilities-model-architectures-several.json", Read: string(ShapeP1Resources)},
	{File: "valid/capabilities-model-apiversion-v1.json", Read: string(ShapeP1Resources)},
	{File: "valid/capabilities-model-apiversion-free.json", Read: string(ShapeP1Resources)},
	{File: "valid/capabilities-p1-flat-apiversion-free.json", Read: string(ShapeP1Flat)},
	{File: "valid/capabilities-p2.json", Read: string(ShapeP2)},
	{File: "invalid/capabilities-model-architectures-riscv.json", Field: "properties.resources.cpu.architectures[0]"},
	{File: "invalid/capabilities-model-architectures-second-bad.json", Field: "properties.resources.cpu.architectures[1]"},
	{File: "invalid/capabilities-model-architectures-not-list.json", Field: "properties.resources.cpu.architectures"},
	{File: "invalid/capabilities-model-kind.json", Field: "kind"},
	{File: "invalid/capabilities-p1-flat-kind.json", Field: "kind"},
	{File: "invalid/capabilities-apiversion-empty.json", Field: "apiVersion"},
	{File: "invalid/capabilities-model-role.json", Field: "properties.roles[0]"},
	{File: "invalid/capabilities-model-vendor-missing.json", Field: "properties.vendor"},
	{File: "invalid/capabilities-p2-envelope.json", Field: "apiVersion"},

	// Status: P1 OpenAPI envelope, data-model generation (apiVersion "v1"),
	// the P1 page (no envelope), rc.3.
	{File: "valid/status-p1.json", Read: StatusAPIVersion},
	{File: "valid/status-model-apiversion-v1.json", Read: "v1"},
	{File: "valid/status-no-envelope.json", Read: ""},
	{File: "valid/status-p2.json", Read: ""},
	{File: "invalid/status-model-kind.json", Field: "kind"},
	{File: "invalid/status-model-state.json", Field: "status.state"},
	{File: "invalid/status-model-deploymentid-missing.json", Field: "deploymentId"},
	{File: "invalid/status-apiversion-empty.json", Field: "apiVersion"},
	{File: "invalid/status-p2-adopted-missing.json", Field: "adoptedManifestVersion"},

	// Onboarding request: apiVersion is a free non-empty string, kind exact.
	{File: "valid/onboarding-p1.json", Read: OnboardingAPIVersion},
	{File: "valid/onboarding-apiversion-free.json", Read: "margo.org/onboarding/v1"},
	{File: "invalid/onboarding-kind.json", Field: "kind"},
	{File: "invalid/onboarding-apiversion-empty.json", Field: "apiVersion"},
	{File: "invalid/onboarding-apiversion-missing.json", Field: "apiVersion"},
	{File: "invalid/onboarding-certificate-empty.json", Field: "certificate"},

	// ApplicationDeployment: P1 (id in metadata.annotations), the
	// data-model generation (P1 envelope, top-level id, type helm), P2.
	{File: "valid/deployment-p1-helm.yaml", Read: string(DeploymentP1)},
	{File: "valid/deployment-p1-compose.yaml", Read: string(DeploymentP1)},
	{File: "valid/deployment-p1-topid-helm.yaml", Read: string(DeploymentP1TopID)},
	{File: "valid/deployment-p1-topid-helm-v3.yaml", Read: string(DeploymentP1TopID)},
	{File: "valid/deployment-p1-topid-compose.yaml", Read: string(DeploymentP1TopID)},
	{File: "valid/deployment-p2.yaml", Read: string(DeploymentP2)},
	{File: "invalid/deployment-p1-topid-kind.yaml", Field: "kind"},
	{File: "invalid/deployment-p1-topid-apiversion.yaml", Field: "apiVersion"},
	{File: "invalid/deployment-p1-topid-id-not-uuid.yaml", Field: "id"},
	{File: "invalid/deployment-p1-topid-applicationid-chars.yaml", Field: "metadata.annotations.applicationId"},
	{File: "invalid/deployment-p1-topid-applicationid-long.yaml", Field: "metadata.annotations.applicationId"},
	{File: "invalid/deployment-p1-topid-type.yaml", Field: "spec.deploymentProfile.type"},
	{File: "invalid/deployment-p1-topid-second-id.yaml", Field: "metadata.annotations.id"},
	{File: "invalid/deployment-p1-type-helm.yaml", Field: "spec.deploymentProfile.type"},
	{File: "invalid/deployment-p2-applicationid-chars.yaml", Field: "spec.applicationId"},
	{File: "invalid/deployment-p2-type-helm-v3.yaml", Field: "spec.deploymentProfile.type"},
}

// readSpecExample parses one example with the parser its name selects and
// returns the generation it was read as (see specExample.read).
func readSpecExample(name string, b []byte) (string, error) {
	base := filepath.Base(name)
	switch {
	case strings.HasPrefix(base, "capabilities-p2"):
		c, err := ParseCapabilitiesP2(b)
		if err != nil {
			return "", err
		}
		return string(c.Shape), nil
	case strings.HasPrefix(base, "capabilities-"):
		c, err := ParseCapabilities(b)
		if err != nil {
			return "", err
		}
		return string(c.Shape), nil
	case strings.HasPrefix(base, "status-"):
		parse := ParseStatus
		if strings.HasPrefix(base, "status-p2") {
			parse = ParseStatusP2
		}
		s, err := parse(b)
		if err != nil {
			return "", err
		}
		return s.APIVersion, nil
	case strings.HasPrefix(base, "onboarding-"):
		r, err := ParseOnboardingRequest(b)
		if err != nil {
			return "", err
		}
		return r.APIVersion, nil
	case strings.HasPrefix(base, "deployment-"):
		d, err := ParseDeployment(b)
		if err != nil {
			return "", err
		}
		return string(d.Profile), nil
	}
	return "", fault.New(fault.Internal, "no parser for %s", name)
}

// TestWFMInteropSpecExamples classifies the example documents of every
// generation the spec's examples use: valid ones parse and are read as their
// generation; invalid ones are rejected (400 for onboarding, as the P1 API
// answers, 422 otherwise) with violations at the expected field only.
func TestWFMInteropSpecExamples(t *testing.T) {
	specexample.Run(t, interopDir, specExamples, readSpecExample,
		func(t *testing.T, file string, err error) []fault.Violation {
			code, typ := fault.Unprocessable, ProblemSemanticError
			if strings.HasPrefix(filepath.Base(file), "onboarding-") {
				code, typ = fault.BadRequest, ProblemInvalidRequest
			}
			return wantViolations(t, err, code, typ)
		})
}

// The spec schemas type the onboarding, capabilities and status apiVersion as
// a free string: any non-empty string is accepted, an empty one or a
// non-string is not, and kind stays exact.
func TestEnvelopeAPIVersionIsAFreeString(t *testing.T) {
	cases := []struct {
		name  string
		file  string
		parse func([]byte) (string, error)
	}{
		{"onboarding", "interop/valid/onboarding-p1.json", func(b []byte) (string, error) {
			r, err := ParseOnboardingRequest(b)
			if err != nil {
				return "", err
			}
			return r.APIVersion, nil
		}},
		{"capabilities first shape", "interop/valid/capabilities-p1-resources.json", func(b []byte) (string, error) {
			c, err := ParseCapabilities(b)
			if err != nil {
				return "", err
			}
			return c.APIVersion, nil
		}},
		{"capabilities gateway era", "capabilities-p1-flat.json", func(b []byte) (string, error) {
			c, err := ParseCapabilities(b)
			if err != nil {
				return "", err
			}
			return c.APIVersion, nil
		}},
		{"status", "status.json", func(b []byte) (string, error) {
			s, err := ParseStatus(b)
			if err != nil {
				return "", err
			}
			return s.APIVersion, nil
		}},
	}
	values := map[string]string{
		"onboarding.margo.org/v1alpha1": "onboarding",
		"device.margo.org/v1alpha1":     "capabilities",
		"deployment.margo.org/v1alpha1": "status",
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := readFile(t, c.file)
			var ours string
			for v := range values {
				if strings.Count(string(doc), `"`+v+`"`) == 1 {
					ours = v
				}
			}
			if ours == "" {
				t.Fatal("the example has none of our apiVersion values")
			}
			for _, free := range []string{"v1", "margo.org/v1", "Ut velit eiusmod Lorem"} {
				got, err := c.parse(patch(t, doc, `"`+ours+`"`, `"`+free+`"`))
				if err != nil || got != free {
					t.Errorf("apiVersion %q: read %q, %v%s", free, got, err, fields(fault.As(err).Violations))
				}
			}
			for _, bad := range []string{`""`, `1`, `null`, `["v1"]`} {
				_, err := c.parse(patch(t, doc, `"`+ours+`"`, bad))
				if vs := fault.As(err).Violations; !hasField(vs, "apiVersion") {
					t.Errorf("apiVersion %s accepted: %v", bad, err)
				}
			}
		})
	}
}

// A first-shape capabilities document may carry resources.cpu.architectures
// (the data-model generation): it is read, and every entry must be one of
// the capability architectures.
func TestParseCapabilities_FirstShapeArchitecturesList(t *testing.T) {
	c, err := ParseCapabilities(readFile(t, "interop/valid/capabilities-model-architectures-several.json"))
	if err != nil {
		t.Fatalf("%v%s", err, fields(fault.As(err).Violations))
	}
	if got := c.Properties.Resources.CPU.Architectures; !slices.Equal(got, []string{"amd64", "arm64", "arm"}) {
		t.Fatalf("architectures = %v", got)
	}
	doc := readFile(t, "interop/valid/capabilities-model-architectures.json")
	for _, arch := range []string{"amd64", "x86_64", "arm64", "arm"} {
		if _, err := ParseCapabilities(patch(t, doc, `"x86_64"`, `"`+arch+`"`)); err != nil {
			t.Errorf("%s rejected: %v", arch, err)
		}
	}
	for _, arch := range []string{"riscv", "riscv64", "other", "AMD64", ""} {
		_, err := ParseCapabilities(patch(t, doc, `"x86_64"`, `"`+arch+`"`))
		if vs := fault.As(err).Violations; !hasField(vs, "properties.resources.cpu.architectures[0]") {
			t.Errorf("%q accepted: %v", arch, err)
		}
	}
}

// The data-model generation of ApplicationDeployment: P1 envelope, the
// deployment id at the top level, applicationId in metadata.annotations.
func TestParseDeployment_P1TopIDGeneration(t *testing.T) {
	for _, f := range []string{"deployment-p1-topid-helm.yaml", "deployment-p1-topid-helm-v3.yaml", "deployment-p1-topid-compose.yaml"} {
		t.Run(f, func(t *testing.T) {
			src := readFile(t, "interop/valid/"+f)
			d, err := ParseDeployment(src)
			if err != nil {
				t.Fatalf("%v%s", err, fields(fault.As(err).Violations))
			}
			if d.Profile != DeploymentP1TopID || d.ID() != "7c0e2d4a-3b5f-4e61-8a9d-1f2b3c4d5e6f" ||
				d.ApplicationID() != "com-example-line-monitor" || d.Metadata.Annotations.ID != "" {
				t.Fatalf("profile %s id %q app %q annotations %+v", d.Profile, d.ID(), d.ApplicationID(), d.Metadata.Annotations)
			}
			if d.Digest() != DigestOf(src) {
				t.Fatal("the original bytes must be kept")
			}
			p := d.Spec.DeploymentProfile.Components[0].Properties
			if d.Spec.DeploymentProfile.Type == "compose" {
				if p.PackageLocation == "" || p.Repository != "" {
					t.Fatalf("compose properties = %+v", p)
				}
			} else if p.Repository == "" || p.PackageLocation != "" {
				t.Fatalf("helm properties = %+v", p)
			}
		})
	}
	// The same id repeated in metadata.annotations is harmless.
	same := patch(t, readFile(t, "interop/valid/deployment-p1-topid-helm.yaml"),
		"    applicationId:", "    id: 7c0e2d4a-3b5f-4e61-8a9d-1f2b3c4d5e6f\n    applicationId:")
	if d, err := ParseDeployment(same); err != nil || d.ID() != "7c0e2d4a-3b5f-4e61-8a9d-1f2b3c4d5e6f" {
		t.Fatalf("repeated id: %v", err)
	}
	// The top-level id is a canonical UUID, as the P1 one is.
	upper := patch(t, readFile(t, "interop/valid/deployment-p1-topid-helm.yaml"), "7c0e2d4a-3b5f-4e61-8a9d-1f2b3c4d5e6f", "7C0E2D4A-3B5F-4E61-8A9D-1F2B3C4D5E6F")
	if vs := fault.As(second(ParseDeployment(upper))).Violations; !hasField(vs, "id") {
		t.Fatalf("uppercase UUID accepted: %v", vs)
	}
}
