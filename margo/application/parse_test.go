package application

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

func mustParse(t *testing.T, file string) *Description {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(b)
	if err != nil {
		t.Fatalf("Parse(%s): %v %v", file, err, fault.As(err).Violations)
	}
	return d
}

func TestParseNewest(t *testing.T) {
	d := mustParse(t, "testdata/v1.yaml")
	if d.Format != FormatV1 || d.ID != "com-northstartida-digitron-orchestrator" || d.Version != "1.2.1" || d.Name != "Digitron orchestrator" {
		t.Fatalf("header: %+v", d)
	}
	if d.Catalog.Icon != "resources/ndo-logo.png" || len(d.Catalog.Organizations) != 1 {
		t.Errorf("catalog: %+v", d.Catalog)
	}
	if len(d.Profiles) != 2 || d.Profiles[0].Type != ProfileHelm || d.Profiles[1].Type != ProfileCompose {
		t.Fatalf("profiles: %+v", d.Profiles)
	}
	c := d.Profiles[0].Components[0]
	if c.Properties.Repository == "" || c.Properties.Wait == nil || !*c.Properties.Wait || c.Properties.Timeout != "8m30s" {
		t.Errorf("component: %+v", c)
	}
	if cs := d.Profiles[0].Constraints; cs == nil || cs.CPUCores != 1.5 || cs.Memory != "1024Mi" || len(cs.EligibilityRules) != 1 {
		t.Errorf("constraints: %+v", cs)
	}
	if d.Parameters["pollFrequency"].Value != int64(30) || d.Parameters["idpName"].Value != nil {
		t.Errorf("parameters: %+v", d.Parameters)
	}
	if r, ok := d.Configuration.Rule("pollRange"); !ok || *r.MinValue != 30 || *r.MaxValue != 360 {
		t.Errorf("rule: %+v", r)
	}
	if s := d.Configuration.Settings(); len(s) != 2 || !s[1].Immutable {
		t.Errorf("settings: %+v", s)
	}
}

func TestParseOlder(t *testing.T) {
	d := mustParse(t, "testdata/v1alpha1.yaml")
	if d.Format != FormatV1Alpha || d.ID != "custom-otel-helm-app" || d.Version != "1.0" {
		t.Fatalf("header: %+v", d)
	}
	if d.Profiles[0].Type != ProfileHelm || d.Profiles[0].Constraints.Memory != "512Mi" || len(d.Profiles[0].Constraints.Architectures) != 2 {
		t.Errorf("helm profile: %+v", d.Profiles[0])
	}
	if w := d.Profiles[0].Components[0].Properties.Wait; w == nil || !*w {
		t.Errorf("wait \"true\" not read as true")
	}
	if d.Profiles[1].Components[0].Properties.PackageLocation == "" {
		t.Errorf("compose: %+v", d.Profiles[1])
	}
}

func TestParseNotYAML(t *testing.T) {
	for _, in := range []string{"a: [", "- 1\n- 2\n", "just a string"} {
		if _, err := Parse([]byte(in)); !fault.Is(err, fault.BadRequest) {
			t.Errorf("Parse(%q) = %v, want BadRequest", in, err)
		}
	}
}

// TestParseReportsEveryViolation breaks many rules at once and expects one
// violation per broken rule, each at its path.
func TestParseReportsEveryViolation(t *testing.T) {
	doc := `apiVersion: v1
id: Bad_ID
colour: red
metadata:
  name: x
  catalog:
    application: {icon: ../../etc/passwd}
    organization: [{site: http://x}]
deploymentProfiles:
  - type: helm.v3
    id: p1
    components:
      - {name: a, properties: {revision: 1.0.0, timeout: 5 minutes}}
      - {name: a, properties: {repository: oci://r/a, revision: 1}}
  - type: compose
    id: p1
    components: []
    deviceConstraints:
      capacityRequirements: {cpu: {architectures: [sparc]}, memory: 1GB}
      eligibilityRules: [{labelSelector: {matchExpressions: [{key: k, operator: Like}]}}]
parameters:
  p:
    value: {a: 1}
    targets: [{pointer: X, components: [a, ghost]}]
  q: {}
configuration:
  sections:
    - name: S
      settings:
        - {parameter: p, name: P, schema: nope}
        - {parameter: missing, name: M, schema: r1}
  schema:
    - {name: r1, dataType: string, minValue: 3, minLength: 5, maxLength: 2, regexMatch: "("}
    - {name: r2, dataType: integer, maxPrecision: 2, minValue: 1.5}
    - {name: r3, dataType: array}
    - {name: r4, dataType: float}
    - {name: r5, dataType: boolean, options: [true]}
`
	_, err := Parse([]byte(doc))
	if !fault.Is(err, fault.Unprocessable) {
		t.Fatalf("err = %v, want Unprocessable", err)
	}
	got := map[string]bool{}
	for _, v := range fault.As(err).Violations {
		got[v.Field] = true
	}
	want := []string{
		"id", "colour", "metadata.version", "metadata.catalog.application.icon",
		"metadata.catalog.organization[0].name",
		"deploymentProfiles[0].type", "deploymentProfiles[0].components[0].properties.repository",
		"deploymentProfiles[0].components[0].properties.timeout", "deploymentProfiles[0].components[1].name",
		"deploymentProfiles[1].id", "deploymentProfiles[1].components",
		"deploymentProfiles[1].deviceConstraints.capacityRequirements.cpu.cores",
		"deploymentProfiles[1].deviceConstraints.capacityRequirements.cpu.architectures[0]",
		"deploymentProfiles[1].deviceConstraints.capacityRequirements.memory",
		"deploymentProfiles[1].deviceConstraints.eligibilityRules[0].labelSelector.matchExpressions[0].operator",
		"parameters.p.value", "parameters.p.targets[0].components[1]", "parameters.q.targets",
		"configuration.sections[0].settings[0].schema", "configuration.sections[0].settings[1].parameter",
		"configuration.schema[0].minValue", "configuration.schema[0].minLength", "configuration.schema[0].regexMatch",
		"configuration.schema[1].maxPrecision", "configuration.schema[1].minValue",
		"configuration.schema[2].options", "configuration.schema[3].dataType", "configuration.schema[4].options",
	}
	for _, f := range want {
		if !got[f] {
			t.Errorf("no violation at %s", f)
		}
	}
	if t.Failed() {
		t.Logf("violations: %v", fault.As(err).Violations)
	}
}

func TestParseOlderFormatRules(t *testing.T) {
	doc := `apiVersion: margo.org/v1-alpha1
kind: Application
metadata: {name: n, version: "1"}
deploymentProfiles:
  - type: helm
    components: [{name: c, properties: {repository: oci://x, revision: "1"}}]
  - type: compose
    components: [{name: d, properties: {}}]
`
	_, err := Parse([]byte(doc))
	var fields []string
	for _, v := range fault.As(err).Violations {
		fields = append(fields, v.Field)
	}
	for _, f := range []string{"kind", "metadata.id", "deploymentProfiles[0].type", "deploymentProfiles[1].components[0].properties.packageLocation"} {
		if !slices.Contains(fields, f) {
			t.Errorf("no violation at %s: %v", f, fields)
		}
	}
	if strings.Contains(strings.Join(fields, ","), "deploymentProfiles[1].id") {
		t.Errorf("old format profile id is optional: %v", fields)
	}
}
