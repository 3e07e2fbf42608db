package document

import (
	"encoding/json"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

const statusID = "a3e2f5dc-912e-494f-8395-52cf3769bc06"

func TestParseStatus_Example(t *testing.T) {
	s, err := ParseStatus(readFile(t, "status.json"))
	if err != nil {
		t.Fatalf("%v%s", err, fields(fault.As(err).Violations))
	}
	if s.DeploymentID != statusID || s.Status.State != StateFailed || len(s.Components) != 2 ||
		s.Components[0].Error == nil || s.Components[0].Error.Code != "HELM_INSTALL_FAILED" {
		t.Fatalf("status = %+v", s)
	}
	if s.OverallFromComponents() != StateFailed {
		t.Fatalf("overall = %s", s.OverallFromComponents())
	}
}

// §5.2: apiVersion and kind are optional. When present, kind is exact and
// apiVersion a non-empty string (the spec schemas leave its value free).
func TestParseStatus_EnvelopeOptionalKindExact(t *testing.T) {
	doc := readFile(t, "status.json")
	bare := patch(t, patch(t, doc, `"apiVersion": "deployment.margo.org/v1alpha1",`, ``), `"kind": "DeploymentStatusManifest",`, ``)
	if _, err := ParseStatus(bare); err != nil {
		t.Fatalf("without envelope: %v", err)
	}
	for field, bad := range map[string][]byte{
		"apiVersion": patch(t, doc, `"deployment.margo.org/v1alpha1"`, `""`),
		"kind":       patch(t, doc, `"DeploymentStatusManifest"`, `"DeploymentStatus"`),
	} {
		if vs := want422(t, second(ParseStatus(bad))); !hasField(vs, field) {
			t.Errorf("no violation at %s:%s", field, fields(vs))
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestParseStatus_Violations(t *testing.T) {
	doc := readFile(t, "status.json")
	cases := []struct {
		name, field string
		doc         []byte
	}{
		{"deploymentId required", "deploymentId", patch(t, doc, `"deploymentId": "a3e2f5dc-912e-494f-8395-52cf3769bc06",`, ``)},
		{"state enum", "status.state", patch(t, doc, "\"state\": \"failed\",\n", "\"state\": \"Failed\",\n")},
		{"state enum has no updating", "components[1].state", patch(t, doc, `"installing"`, `"updating"`)},
		{"component name required", "components[1].name", patch(t, doc, `"name": "digitron-orchestrator", `, ``)},
		{"component state required", "components[1].state", patch(t, doc, `, "state": "installing"`, ``)},
		{"components required", "components", []byte(`{"deploymentId":"x","status":{"state":"pending"}}`)},
		{"components not empty", "components", []byte(`{"deploymentId":"x","status":{"state":"pending"},"components":[]}`)},
		{"error code required", "status.error.code", patch(t, doc, `"code": "HELM_INSTALL_FAILED", "source"`, `"source"`)},
		{"error message required", "components[0].error.message", patch(t, doc, `, "message": "timed out waiting for the condition"}}`, `}}`)},
		{"deviceId pattern", "deviceId", patch(t, doc, `"deploymentId"`, `"deviceId": "gw child", "deploymentId"`)},
		{"duplicate component names", "components[1].name", patch(t, doc, `"digitron-orchestrator"`, `"database-services"`)},
		{"adoptedManifestVersion at least 1", "adoptedManifestVersion", patch(t, doc, `"deploymentId"`, `"adoptedManifestVersion": 0, "deploymentId"`)},
		{"adoptedManifestVersion integer literal", "adoptedManifestVersion", patch(t, doc, `"deploymentId"`, `"adoptedManifestVersion": 2.0, "deploymentId"`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vs := want422(t, second(ParseStatus(c.doc)))
			if !hasField(vs, c.field) {
				t.Fatalf("no violation at %s:%s", c.field, fields(vs))
			}
		})
	}
}

func TestParseStatusP2_AdoptedManifestVersionRequired(t *testing.T) {
	doc := readFile(t, "status.json")
	if vs := want422(t, second(ParseStatusP2(doc))); !hasField(vs, "adoptedManifestVersion") {
		t.Fatalf("missing adoptedManifestVersion not reported:%s", fields(vs))
	}
	s, err := ParseStatusP2(patch(t, doc, `"deploymentId"`, `"adoptedManifestVersion": 18446744073709551615, "deploymentId"`))
	if err != nil || s.AdoptedManifestVersion == nil || *s.AdoptedManifestVersion != 1<<64-1 {
		t.Fatalf("max uint64: %v %+v", err, s)
	}
	if vs := want422(t, second(ParseStatusP2(patch(t, doc, `"deploymentId"`, `"adoptedManifestVersion": 18446744073709551616, "deploymentId"`)))); !hasField(vs, "adoptedManifestVersion") {
		t.Fatalf("2^64 accepted:%s", fields(vs))
	}
}

func TestValidateStatus(t *testing.T) {
	s, err := ParseStatus(readFile(t, "status.json"))
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"digitron-orchestrator", "database-services"}
	cases := []struct {
		name   string
		pathID string
		comps  []string
		want   []string // violation fields; nil means valid
	}{
		{"path and body deploymentId equal", statusID, names, nil},
		{"unknown deployment skips the component check", statusID, nil, nil},
		{"path and body deploymentId differ", "b3e2f5dc-912e-494f-8395-52cf3769bc06", names, []string{"deploymentId"}},
		{"missing entry for a component", statusID, append(names, "cache"), []string{"components"}},
		{"entry for an unknown component", statusID, names[:1], []string{"components[0].name"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vs := ValidateStatus(s, c.pathID, c.comps)
			if len(vs) != len(c.want) {
				t.Fatalf("got%s\nwant %v", fields(vs), c.want)
			}
			for _, f := range c.want {
				if !hasField(vs, f) {
					t.Errorf("no violation at %s:%s", f, fields(vs))
				}
			}
		})
	}
}

func TestValidateStatus_DuplicateComponents(t *testing.T) {
	s := &DeploymentStatusManifest{DeploymentID: "d", Components: []ComponentStatus{{Name: "a"}, {Name: "b"}, {Name: "a"}}}
	vs := ValidateStatus(s, "d", []string{"a", "b"})
	if len(vs) != 1 || vs[0].Field != "components[2].name" {
		t.Fatalf("got%s", fields(vs))
	}
}

func TestMostSevere_SpecOrder(t *testing.T) {
	order := States() // most severe first
	want := []State{StateFailed, StateRemoving, StateInstalling, StatePending, StateRemoved, StateInstalled}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("States() = %v", order)
		}
	}
	for i := range want {
		for j := i; j < len(want); j++ {
			if got := MostSevere(want[j], want[i]); got != want[i] {
				t.Errorf("MostSevere(%s, %s) = %s", want[j], want[i], got)
			}
		}
	}
	if MostSevere() != "" || MostSevere("Failed", "bogus") != "" || MostSevere("bogus", StateInstalled) != StateInstalled {
		t.Error("unknown states must be ignored")
	}
	if State("Installed").Valid() || !StateRemoved.Valid() {
		t.Error("Valid is case-sensitive")
	}
}

func TestParseStatus_RoundTrip(t *testing.T) {
	s, err := ParseStatus(readFile(t, "status.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseStatus(b); err != nil {
		t.Fatalf("re-parse: %v", err)
	}
}
