package application

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/specexample"
	"github.com/cadenza-edge/cadenza/margo/profile"
)

// interopDir holds ApplicationDescriptions written by us in the shapes of
// the generations the specification repository's own valid/invalid examples
// use; valid/ and invalid/ mirror the spec repository's layout.
const interopDir = "testdata/interop"

// specExamples lists every file under interopDir: a valid file with the
// Format it is read as, an invalid one with the one field every violation
// names.
var specExamples = []specexample.Example{
	// Data-model generation: P1-era apiVersion and kind, a top-level id.
	{File: "valid/description-v1alpha1-topid-helm-and-compose.yaml", Read: FormatV1AlphaTopID},
	{File: "valid/description-v1alpha1-topid-helm-v3.yaml", Read: FormatV1AlphaTopID},
	{File: "valid/description-v1alpha1-topid-profile-id-free.yaml", Read: FormatV1AlphaTopID},
	{File: "invalid/description-v1alpha1-topid-kind.yaml", Field: "kind"},
	{File: "invalid/description-v1alpha1-topid-id-long.yaml", Field: "id"},
	{File: "invalid/description-v1alpha1-topid-id-chars.yaml", Field: "id"},
	{File: "invalid/description-v1alpha1-topid-type.yaml", Field: "deploymentProfiles[0].type"},
	{File: "invalid/description-v1alpha1-topid-architecture.yaml", Field: "deploymentProfiles[0].requiredResources.cpu.architectures[0]"},
	{File: "invalid/description-v1alpha1-topid-second-id.yaml", Field: "metadata.id"},
	{File: "invalid/description-v1alpha1-topid-profile-id-empty.yaml", Field: "deploymentProfiles[0].id"},

	// P1-era generation: metadata.id.
	{File: "valid/description-v1alpha1.yaml", Read: FormatV1Alpha},
	{File: "invalid/description-v1alpha1-type-helm.yaml", Field: "deploymentProfiles[0].type"},
	{File: "invalid/description-v1alpha1-metadata-id-chars.yaml", Field: "metadata.id"},

	// Newest generation: apiVersion v1, no kind.
	{File: "valid/description-v1-profile-id-free.yaml", Read: FormatV1},
	{File: "invalid/description-v1-id-chars.yaml", Field: "id"},
}

// TestWFMInteropSpecExamples classifies ApplicationDescriptions of every
// generation the spec's examples use: valid ones parse and are read as their
// Format; invalid ones are 422 with violations at the expected field only.
func TestWFMInteropSpecExamples(t *testing.T) {
	specexample.Run(t, interopDir, specExamples,
		func(_ string, b []byte) (string, error) {
			d, err := Parse(b)
			if err != nil {
				return "", err
			}
			return d.Format, nil
		},
		func(t *testing.T, _ string, err error) []fault.Violation {
			if !fault.Is(err, fault.Unprocessable) {
				t.Fatalf("err = %v, want Unprocessable", err)
			}
			return fault.As(err).Violations
		})
}

// Only the application id has the id pattern; a profile id is any
// non-empty string, in every format.
func TestParseProfileIDIsAPlainString(t *testing.T) {
	d := mustParse(t, filepath.Join(interopDir, "valid/description-v1alpha1-topid-profile-id-free.yaml"))
	if d.Profiles[0].ID != "Helm profile A (x86, GPU)" || d.Profiles[1].ID != "compose_profile.B" {
		t.Fatalf("profile ids = %q, %q", d.Profiles[0].ID, d.Profiles[1].ID)
	}
	if d := mustParse(t, filepath.Join(interopDir, "valid/description-v1alpha1.yaml")); d.Profiles[0].ID != "com-example-line-monitor-helm.v3-a" {
		t.Fatalf("P1-era profile id = %q", d.Profiles[0].ID)
	}
	if d := mustParse(t, filepath.Join(interopDir, "valid/description-v1-profile-id-free.yaml")); d.Profiles[0].ID != "Line Monitor / Helm (GPU)" {
		t.Fatalf("newest profile id = %q", d.Profiles[0].ID)
	}
}

// The data-model generation reads like the P1-era one, with the id at the
// top level: types normalised, requiredResources as Constraints.
func TestParseDataModelGeneration(t *testing.T) {
	d := mustParse(t, filepath.Join(interopDir, "valid/description-v1alpha1-topid-helm-and-compose.yaml"))
	if d.Format != FormatV1AlphaTopID || d.ID != "com-example-line-monitor" || d.Version != "2.0" || len(d.Catalog.Organizations) != 1 {
		t.Fatalf("header: %+v", d)
	}
	if len(d.Profiles) != 2 || d.Profiles[0].Type != profile.Helm || d.Profiles[1].Type != profile.Compose {
		t.Fatalf("profiles: %+v", d.Profiles)
	}
	if c := d.Profiles[0].Constraints; c == nil || c.CPUCores != 1.5 || len(c.Architectures) != 1 || c.Memory != "1024Mi" {
		t.Fatalf("constraints: %+v", c)
	}
	if p := d.Profiles[1].Components[0].Properties; p.PackageLocation == "" || p.Repository != "" {
		t.Fatalf("compose properties: %+v", p)
	}
	if d := mustParse(t, filepath.Join(interopDir, "valid/description-v1alpha1-topid-helm-v3.yaml")); d.Profiles[0].Type != profile.Helm {
		t.Fatalf("helm.v3 read as %q", d.Profiles[0].Type)
	}
	// The same id repeated in metadata is harmless; the catalog is required,
	// as in the newest format.
	b, err := os.ReadFile(filepath.Join(interopDir, "valid/description-v1alpha1-topid-helm-and-compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse([]byte(strings.Replace(string(b), "  name: Line monitor\n", "  id: com-example-line-monitor\n  name: Line monitor\n", 1))); err != nil {
		t.Fatalf("repeated id: %v %v", err, fault.As(err).Violations)
	}
	start, end := strings.Index(string(b), "  catalog:\n"), strings.Index(string(b), "deploymentProfiles:")
	_, err = Parse([]byte(string(b[:start]) + string(b[end:])))
	if vs := fault.As(err).Violations; len(vs) != 1 || vs[0].Field != "metadata.catalog" {
		t.Fatalf("missing catalog: %v", vs)
	}
}
