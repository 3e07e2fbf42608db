package application

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/profile"
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
	if len(d.Profiles) != 2 || d.Profiles[0].Type != profile.Helm || d.Profiles[1].Type != profile.Compose {
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
	if d.Profiles[0].Type != profile.Helm || d.Profiles[0].Constraints.Memory != "512Mi" || len(d.Profiles[0].Constraints.Architectures) != 2 {
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

// withRules returns a valid newest-format description whose one profile has
// the given eligibilityRules (YAML flow sequence).
func withRules(rules string) []byte {
	return []byte(`apiVersion: v1
id: app
metadata:
  name: App
  version: "1.0"
  catalog: {organization: [{name: Org}]}
deploymentProfiles:
  - type: helm
    id: p
    components: [{name: c, properties: {repository: oci://r/c, revision: 1.0.0}}]
    deviceConstraints:
      eligibilityRules: ` + rules + "\n")
}

func TestParseEligibilityRulesTyped(t *testing.T) {
	d, err := Parse(withRules(`[
        {propertySelector: {matchExpressions: [
          {key: /peripherals, operator: ContainsAll, itemSelector: {matchExpressions: [{key: /type, operator: In, values: [gpu]}, {key: /manufacturer, operator: In, values: [NVIDIA]}]}},
          {key: /cpus/0/cores, operator: Gt, values: [2]}]},
         labelSelector: {matchExpressions: [{key: site, operator: NotIn, values: [lab]}, {key: gpu, operator: Exists}]}},
        {labelSelector: {matchExpressions: [{key: "tier", operator: Lt, values: ["3"]}]}},
        {propertySelector: {matchExpressions: [{key: "", operator: Exists}, {key: /a~1b/~0c, operator: DoesNotExist}]}}]`))
	if err != nil {
		t.Fatalf("Parse: %v %v", err, fault.As(err).Violations)
	}
	rules := d.Profiles[0].Constraints.EligibilityRules
	if len(rules) != 3 {
		t.Fatalf("rules: %+v", rules)
	}
	ps := rules[0].PropertySelector
	if ps == nil || len(ps.MatchExpressions) != 2 || rules[0].LabelSelector == nil || len(rules[0].LabelSelector.MatchExpressions) != 2 {
		t.Fatalf("rule 0: %+v", rules[0])
	}
	e := ps.MatchExpressions[0]
	if e.Key != "/peripherals" || e.Operator != OpContainsAll || e.ItemSelector == nil || len(e.ItemSelector.MatchExpressions) != 2 ||
		e.ItemSelector.MatchExpressions[1].Values[0] != "NVIDIA" {
		t.Errorf("containment expression: %+v", e)
	}
	if gt := ps.MatchExpressions[1]; gt.Operator != OpGt || len(gt.Values) != 1 || gt.Values[0] != json.Number("2") {
		t.Errorf("Gt expression: %+v", gt)
	}
	if rules[1].PropertySelector != nil || rules[2].LabelSelector != nil {
		t.Errorf("absent selectors must stay nil: %+v", rules)
	}
	// The typed rules marshal back to the spec's shape.
	b, _ := json.Marshal(rules[1])
	if string(b) != `{"labelSelector":{"matchExpressions":[{"key":"tier","operator":"Lt","values":["3"]}]}}` {
		t.Errorf("json: %s", b)
	}
}

// TestParseEligibilityRuleViolations checks each expression rule of
// deviceConstraints.eligibilityRules: one broken rule, one violation at its
// path.
func TestParseEligibilityRuleViolations(t *testing.T) {
	const r0 = "deploymentProfiles[0].deviceConstraints.eligibilityRules[0]"
	const ps = r0 + ".propertySelector.matchExpressions[0]"
	const ls = r0 + ".labelSelector.matchExpressions[0]"
	cases := []struct {
		name, rules, field, message string
	}{
		{"a rule needs a selector", `[{}]`, r0, "propertySelector or a labelSelector"},
		{"a rule is an object", `[x]`, r0, "must be an object"},
		{"unknown rule member", `[{nodeSelector: {}, labelSelector: {matchExpressions: [{key: k, operator: Exists}]}}]`, r0 + ".nodeSelector", "not a known member"},
		{"matchExpressions required", `[{labelSelector: {}}]`, r0 + ".labelSelector.matchExpressions", "is required"},
		{"matchExpressions not empty", `[{labelSelector: {matchExpressions: []}}]`, r0 + ".labelSelector.matchExpressions", "at least one expression"},
		{"unknown operator", `[{labelSelector: {matchExpressions: [{key: k, operator: Like}]}}]`, ls + ".operator", "must be one of"},
		{"operator required", `[{labelSelector: {matchExpressions: [{key: k}]}}]`, ls + ".operator", "is required"},
		{"In needs a value", `[{labelSelector: {matchExpressions: [{key: k, operator: In}]}}]`, ls + ".values", "at least one value"},
		{"NotIn needs a value", `[{labelSelector: {matchExpressions: [{key: k, operator: NotIn, values: []}]}}]`, ls + ".values", "at least one value"},
		{"values are scalars", `[{labelSelector: {matchExpressions: [{key: k, operator: In, values: [a, {b: 1}]}]}}]`, ls + ".values[1]", "string, a number or a boolean"},
		{"values is an array", `[{labelSelector: {matchExpressions: [{key: k, operator: In, values: a}]}}]`, ls + ".values", "must be an array"},
		{"Gt needs one value", `[{labelSelector: {matchExpressions: [{key: k, operator: Gt, values: [1, 2]}]}}]`, ls + ".values", "exactly one value"},
		{"Lt needs a value", `[{labelSelector: {matchExpressions: [{key: k, operator: Lt}]}}]`, ls + ".values", "exactly one value"},
		{"Gt needs a number", `[{labelSelector: {matchExpressions: [{key: k, operator: Gt, values: [many]}]}}]`, ls + ".values[0]", "needs a number"},
		{"Exists takes no values", `[{labelSelector: {matchExpressions: [{key: k, operator: Exists, values: [a]}]}}]`, ls + ".values", "takes no values"},
		{"DoesNotExist takes no values", `[{labelSelector: {matchExpressions: [{key: k, operator: DoesNotExist, values: [a]}]}}]`, ls + ".values", "takes no values"},
		{"ContainsAll needs itemSelector", `[{propertySelector: {matchExpressions: [{key: /p, operator: ContainsAll}]}}]`, ps + ".itemSelector", "is required by operator ContainsAll"},
		{"ContainsAny needs itemSelector", `[{propertySelector: {matchExpressions: [{key: /p, operator: ContainsAny}]}}]`, ps + ".itemSelector", "is required by operator ContainsAny"},
		{"ContainsAny takes no values", `[{propertySelector: {matchExpressions: [{key: /p, operator: ContainsAny, values: [a], itemSelector: {matchExpressions: [{key: /t, operator: Exists}]}}]}}]`, ps + ".values", "takes no values"},
		{"itemSelector only with containment", `[{propertySelector: {matchExpressions: [{key: /p, operator: In, values: [a], itemSelector: {matchExpressions: [{key: /t, operator: Exists}]}}]}}]`, ps + ".itemSelector", "allowed only with operators ContainsAll and ContainsAny"},
		{"itemSelector is an object", `[{propertySelector: {matchExpressions: [{key: /p, operator: ContainsAll, itemSelector: [x]}]}}]`, ps + ".itemSelector", "must be an object"},
		{"itemSelector expressions are checked", `[{propertySelector: {matchExpressions: [{key: /p, operator: ContainsAll, itemSelector: {matchExpressions: [{key: type, operator: In, values: [gpu]}]}}]}}]`, ps + ".itemSelector.matchExpressions[0].key", "RFC 6901"},
		{"property key is a pointer", `[{propertySelector: {matchExpressions: [{key: memory, operator: Exists}]}}]`, ps + ".key", "RFC 6901"},
		{"property key escapes", `[{propertySelector: {matchExpressions: [{key: /a~2b, operator: Exists}]}}]`, ps + ".key", "~0"},
		{"property key required", `[{propertySelector: {matchExpressions: [{operator: Exists}]}}]`, ps + ".key", "is required"},
		{"label key required", `[{labelSelector: {matchExpressions: [{key: "", operator: Exists}]}}]`, ls + ".key", "must not be empty"},
		{"unknown expression member", `[{labelSelector: {matchExpressions: [{key: k, operator: Exists, value: 1}]}}]`, ls + ".value", "not a known member"},
	}
	// An unknown member does not hide the rules of the known ones.
	_, err := Parse(withRules(`[{labelSelector: {matchExpressions: [{key: k, operator: In, value: 1}]}}]`))
	if vs := fault.As(err).Violations; len(vs) != 2 || vs[0].Field != ls+".value" || vs[1].Field != ls+".values" {
		t.Errorf("unknown member and missing values: %v", vs)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(withRules(c.rules))
			if !fault.Is(err, fault.Unprocessable) {
				t.Fatalf("err = %v, want Unprocessable", err)
			}
			vs := fault.As(err).Violations
			found := false
			for _, v := range vs {
				if v.Field == c.field && strings.Contains(v.Message, c.message) {
					found = true
				}
			}
			if !found || len(vs) != 1 {
				t.Errorf("want exactly one violation at %s containing %q, got %v", c.field, c.message, vs)
			}
		})
	}
}

// TestParseEligibilityReportsEveryViolation breaks several expressions of
// several rules at once; each is reported.
func TestParseEligibilityReportsEveryViolation(t *testing.T) {
	_, err := Parse(withRules(`[
        {propertySelector: {matchExpressions: [{key: cpus, operator: Gt, values: [1, 2]}, {key: /x, operator: Near}]}},
        {labelSelector: {matchExpressions: [{key: k, operator: Exists, values: [a]}]}, propertySelector: {matchExpressions: [{key: /p, operator: ContainsAny}]}}]`))
	var fields []string
	for _, v := range fault.As(err).Violations {
		fields = append(fields, v.Field)
	}
	const p = "deploymentProfiles[0].deviceConstraints.eligibilityRules"
	want := []string{
		p + "[0].propertySelector.matchExpressions[0].key", p + "[0].propertySelector.matchExpressions[0].values",
		p + "[0].propertySelector.matchExpressions[1].operator",
		p + "[1].labelSelector.matchExpressions[0].values", p + "[1].propertySelector.matchExpressions[0].itemSelector",
	}
	for _, f := range want {
		if !slices.Contains(fields, f) {
			t.Errorf("no violation at %s: %v", f, fields)
		}
	}
	if len(fields) != len(want) {
		t.Errorf("got %d violations, want %d: %v", len(fields), len(want), fields)
	}
}

func TestSelectorValidate(t *testing.T) {
	ok := Selector{MatchExpressions: []Expression{
		{Key: "site", Operator: OpIn, Values: []any{"a", 2.0, true}},
		{Key: "zones", Operator: OpContainsAny, ItemSelector: &Selector{MatchExpressions: []Expression{{Key: "", Operator: OpIn, Values: []any{"a"}}}}},
	}}
	if vs := ok.Validate("target.selector", false); len(vs) != 0 {
		t.Errorf("valid selector: %v", vs)
	}
	if vs := (Selector{}).Validate("target.selector", false); len(vs) != 0 {
		t.Errorf("empty selector: %v", vs)
	}
	bad := Selector{MatchExpressions: []Expression{
		{Key: "", Operator: OpExists},
		{Key: "k", Operator: OpContainsAll, ItemSelector: &Selector{}},
		{Key: "k", Operator: OpGt, Values: []any{"x"}},
	}}
	var fields []string
	for _, v := range bad.Validate("target.selector", false) {
		fields = append(fields, v.Field)
	}
	want := []string{
		"target.selector.matchExpressions[0].key",
		"target.selector.matchExpressions[1].itemSelector.matchExpressions",
		"target.selector.matchExpressions[2].values[0]",
	}
	if !slices.Equal(fields, want) {
		t.Errorf("fields = %v, want %v", fields, want)
	}
	if vs := (Selector{MatchExpressions: []Expression{{Key: "memory", Operator: OpExists}}}).Validate("s", true); len(vs) != 1 || vs[0].Field != "s.matchExpressions[0].key" {
		t.Errorf("property key: %v", vs)
	}
}
