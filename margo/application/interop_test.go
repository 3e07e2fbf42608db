package application

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/profile"
)

// interopDir holds ApplicationDescriptions written by us in the shapes of
// the generations the specification repository's own valid/invalid examples
// use; valid/ and invalid/ mirror the spec repository's layout.
const interopDir = "testdata/interop"

// specExamples lists every file under interopDir: a valid file with the
// Format it is read as, an invalid one with the one field every violation
// names.
var specExamples = []struct {
	file, format, field string
}{
	// Data-model generation: P1-era apiVersion and kind, a top-level id.
	{file: "valid/description-v1alpha1-topid-helm-and-compose.yaml", format: FormatV1AlphaTopID},
	{file: "valid/description-v1alpha1-topid-helm-v3.yaml", format: FormatV1AlphaTopID},
	{file: "valid/description-v1alpha1-topid-profile-id-free.yaml", format: FormatV1AlphaTopID},
	{file: "invalid/description-v1alpha1-topid-kind.yaml", field: "kind"},
	{file: "invalid/description-v1alpha1-topid-id-long.yaml", field: "id"},
	{file: "invalid/description-v1alpha1-topid-id-chars.yaml", field: "id"},
	{file: "invalid/description-v1alpha1-topid-type.yaml", field: "deploymentProfiles[0].type"},
	{file: "invalid/description-v1alpha1-topid-architecture.yaml", field: "deploymentProfiles[0].requiredResources.cpu.architectures[0]"},
	{file: "invalid/description-v1alpha1-topid-second-id.yaml", field: "metadata.id"},
	{file: "invalid/description-v1alpha1-topid-profile-id-empty.yaml", field: "deploymentProfiles[0].id"},

	// P1-era generation: metadata.id.
	{file: "valid/description-v1alpha1.yaml", format: FormatV1Alpha},
	{file: "invalid/description-v1alpha1-type-helm.yaml", field: "deploymentProfiles[0].type"},
	{file: "invalid/description-v1alpha1-metadata-id-chars.yaml", field: "metadata.id"},

	// Newest generation: apiVersion v1, no kind.
	{file: "valid/description-v1-profile-id-free.yaml", format: FormatV1},
	{file: "invalid/description-v1-id-chars.yaml", field: "id"},
}

// TestWFMInteropSpecExamples classifies ApplicationDescriptions of every
// generation the spec's examples use: valid ones parse and are read as their
// Format; invalid ones are 422 with violations at the expected field only.
func TestWFMInteropSpecExamples(t *testing.T) {
	listed := map[string]bool{}
	for _, ex := range specExamples {
		listed[ex.file] = true
		t.Run(ex.file, func(t *testing.T) {
			valid := strings.HasPrefix(ex.file, "valid/")
			if valid == (ex.field != "") {
				t.Fatalf("a file under valid/ must have no field, one under invalid/ must have one")
			}
			b, err := os.ReadFile(filepath.Join(interopDir, ex.file))
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(b)
			if valid {
				if err != nil {
					t.Fatalf("rejected: %v %v", err, fault.As(err).Violations)
				}
				if d.Format != ex.format {
					t.Fatalf("read as %q, want %q", d.Format, ex.format)
				}
				return
			}
			if !fault.Is(err, fault.Unprocessable) {
				t.Fatalf("err = %v, want Unprocessable", err)
			}
			vs := fault.As(err).Violations
			if len(vs) == 0 {
				t.Fatal("no violations")
			}
			for _, v := range vs {
				if v.Field != ex.field {
					t.Fatalf("violation at %s, want only %s: %v", v.Field, ex.field, vs)
				}
			}
		})
	}
	for _, dir := range []string{"valid", "invalid"} {
		entries, err := os.ReadDir(filepath.Join(interopDir, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if name := dir + "/" + e.Name(); !listed[name] {
				t.Errorf("%s/%s is not in specExamples", interopDir, name)
			}
		}
	}
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
