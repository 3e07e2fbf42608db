package eligibility

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/application"
)

// Capability documents in the three layouts (margo-api.md §5.1).
const (
	// p1Resources is the first P1 layout, as on the spec's device-capabilities page.
	p1Resources = `{"apiVersion": "device.margo.org/v1alpha1", "kind": "DeviceCapabilitiesManifest",
	  "properties": {"id": "northstarida.xtapro.k8s.edge", "vendor": "Northstar", "modelNumber": "332ANZE1-N1", "serialNumber": "PF45343-AA",
	    "roles": ["Standalone Cluster"],
	    "resources": {"cpu": {"cores": 24, "architecture": "x86_64"}, "memory": "59 Gi", "storage": "1862 Gi",
	      "peripherals": [{"type": "gpu", "manufacturer": "NVIDIA"}], "interfaces": [{"type": "ethernet"}]}}}`
	// p1Flat is the P1 gateway-era layout: envelope, flat properties.
	p1Flat = `{"apiVersion": "device.margo.org/v1alpha1", "kind": "DeviceCapabilitiesManifest",
	  "properties": {"id": "gw/a", "vendor": "V", "modelNumber": "M", "serialNumber": "S",
	    "cpus": [{"cores": 2, "architecture": "amd64"}, {"cores": 2, "architecture": "amd64"}],
	    "memory": "4Gi", "storage": "64Gi",
	    "peripherals": [{"type": "gpu", "manufacturer": "Intel"}, {"type": "camera", "manufacturer": "NVIDIA"}],
	    "interfaces": [{"type": "ethernet"}], "otelCollector": true,
	    "supportedRuntimes": ["oci"], "supportedDeploymentTypes": ["helm", "compose"]}}`
	// p2 is the rc.3 layout: no envelope, labels.
	p2 = `{"properties": {"id": "gateway1/deviceA", "vendor": "V", "modelNumber": "DA-2000", "serialNumber": "DA1",
	    "cpus": [{"cores": 1.5, "architecture": "arm64"}], "memory": "1024Mi", "storage": "32Gi",
	    "peripherals": [], "interfaces": [{"type": "canbus"}], "otelCollector": true,
	    "supportedRuntimes": ["oci"], "supportedDeploymentTypes": ["compose", "custom"]},
	  "labels": {"site": "plant-7", "tier": 2, "gpu": false, "zones": ["a", "b"]},
	  "x-acme-extensions": {"firmware": "4.2"}}`
)

func device(t testing.TB, doc string, operatorLabels map[string]any) *Device {
	t.Helper()
	d, err := NewDevice(json.RawMessage(doc), operatorLabels)
	if err != nil {
		t.Fatalf("NewDevice: %v", err)
	}
	return d
}

// generic decodes JSON as NewDevice does (numbers as json.Number).
func generic(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func sel(xs ...application.Expression) *application.Selector {
	return &application.Selector{MatchExpressions: xs}
}

func expr(key, op string, values ...any) application.Expression {
	return application.Expression{Key: key, Operator: op, Values: values}
}

func item(key, op string, s *application.Selector) application.Expression {
	return application.Expression{Key: key, Operator: op, ItemSelector: s}
}

// TestOperators checks each operator of an eligibility expression: match,
// no match, absent key, type mismatch and array values. Keys are pointers
// into props.
func TestOperators(t *testing.T) {
	props := `{"arch": "amd64", "cores": 4, "coresText": "8", "name": "box", "gpu": false, "none": null,
	  "obj": {"a": 1}, "zones": ["a", "b"], "sizes": [1, 2],
	  "peripherals": [{"type": "gpu", "manufacturer": "Intel"}, {"type": "camera", "manufacturer": "NVIDIA"}],
	  "nvidia": [{"type": "camera"}, {"type": "gpu", "manufacturer": "NVIDIA"}], "empty": []}`
	const (
		In, NotIn, Exists, DoesNotExist  = application.OpIn, application.OpNotIn, application.OpExists, application.OpDoesNotExist
		Gt, Lt, ContainsAll, ContainsAny = application.OpGt, application.OpLt, application.OpContainsAll, application.OpContainsAny
	)
	nvidiaGPU := sel(expr("/type", In, "gpu"), expr("/manufacturer", In, "NVIDIA"))
	cases := []struct {
		name string
		x    application.Expression
		want bool
		why  string // part of the failure explanation
	}{
		{"In match", expr("/arch", In, "arm64", "amd64"), true, ""},
		{"In no match", expr("/arch", In, "arm64"), false, `"amd64" is not in ["arm64"]`},
		{"In absent", expr("/missing", In, "a"), false, "absent"},
		{"In null is absent", expr("/none", In, "a"), false, "absent"},
		{"In number numerically", expr("/cores", In, json.Number("4.0")), true, ""},
		{"In number against float64", expr("/cores", In, 4.0), true, ""},
		{"In number against numeric string", expr("/cores", In, "4"), true, ""},
		{"In numeric string against number", expr("/coresText", In, 8), true, ""},
		{"In strings exactly", expr("/arch", In, "AMD64"), false, "is not in"},
		{"In bool", expr("/gpu", In, false), true, ""},
		{"In bool against its string form", expr("/gpu", In, "false"), true, ""},
		{"In object never matches", expr("/obj", In, "a"), false, "is not in"},
		{"In number against text", expr("/cores", In, "four"), false, "is not in"},
		{"In array any element", expr("/zones", In, "b", "z"), true, ""},
		{"In array no element", expr("/zones", In, "c"), false, `["a","b"] is not in ["c"]`},
		{"In number array", expr("/sizes", In, 2), true, ""},

		{"NotIn match", expr("/arch", NotIn, "arm64"), true, ""},
		{"NotIn no match", expr("/arch", NotIn, "amd64"), false, `"amd64" is in ["amd64"]`},
		{"NotIn absent", expr("/missing", NotIn, "a"), true, ""},
		{"NotIn type mismatch", expr("/obj", NotIn, "a"), true, ""},
		{"NotIn array with element in", expr("/zones", NotIn, "a"), false, "is in"},
		{"NotIn array without", expr("/zones", NotIn, "c"), true, ""},

		{"Exists match", expr("/arch", Exists), true, ""},
		{"Exists false bool is present", expr("/gpu", Exists), true, ""},
		{"Exists absent", expr("/missing", Exists), false, "absent"},
		{"Exists null", expr("/none", Exists), false, "absent"},
		{"Exists array", expr("/empty", Exists), true, ""},
		{"DoesNotExist absent", expr("/missing", DoesNotExist), true, ""},
		{"DoesNotExist null", expr("/none", DoesNotExist), true, ""},
		{"DoesNotExist present", expr("/arch", DoesNotExist), false, `present: "amd64"`},

		{"Gt match", expr("/cores", Gt, 2), true, ""},
		{"Gt equal", expr("/cores", Gt, 4), false, "4 is not greater than 4"},
		{"Gt no match", expr("/cores", Gt, json.Number("8")), false, "is not greater than 8"},
		{"Gt absent", expr("/missing", Gt, 1), false, "absent"},
		{"Gt numeric string value", expr("/coresText", Gt, 4), true, ""},
		{"Gt numeric string bound", expr("/cores", Gt, "3.5"), true, ""},
		{"Gt text", expr("/arch", Gt, 1), false, `"amd64" is not a number`},
		{"Gt bool", expr("/gpu", Gt, 0), false, "not a number"},
		{"Gt array", expr("/sizes", Gt, 0), false, "[1,2] is not a number"},
		{"Lt match", expr("/cores", Lt, 5), true, ""},
		{"Lt no match", expr("/cores", Lt, 4), false, "4 is not less than 4"},
		{"Lt absent", expr("/missing", Lt, 1), false, "absent"},
		{"Lt text", expr("/name", Lt, 1), false, "not a number"},
		{"Lt array", expr("/sizes", Lt, 9), false, "not a number"},

		{"ContainsAll one element matches all", item("/nvidia", ContainsAll, nvidiaGPU), true, ""},
		{"ContainsAll across elements is no match", item("/peripherals", ContainsAll, nvidiaGPU), false,
			`no element matches itemSelector {/type In ["gpu"], /manufacturer In ["NVIDIA"]}`},
		{"ContainsAll absent", item("/missing", ContainsAll, nvidiaGPU), false, "absent"},
		{"ContainsAll not an array", item("/obj", ContainsAll, nvidiaGPU), false, `{"a":1} is not an array`},
		{"ContainsAll empty array", item("/empty", ContainsAll, nvidiaGPU), false, "empty"},
		{"ContainsAll scalar elements", item("/zones", ContainsAll, sel(expr("", In, "b"))), true, ""},
		{"ContainsAll NotIn on elements", item("/peripherals", ContainsAll, sel(expr("/type", In, "gpu"), expr("/manufacturer", NotIn, "NVIDIA"))), true, ""},
		{"ContainsAny one expression", item("/peripherals", ContainsAny, sel(expr("/type", In, "display"), expr("/manufacturer", In, "NVIDIA"))), true, ""},
		{"ContainsAny no match", item("/peripherals", ContainsAny, sel(expr("/type", In, "display"), expr("/model", Exists))), false,
			"no element matches any expression of itemSelector"},
		{"ContainsAny absent", item("/missing", ContainsAny, nvidiaGPU), false, "absent"},
		{"ContainsAny not an array", item("/arch", ContainsAny, nvidiaGPU), false, "is not an array"},
		{"ContainsAny scalar elements", item("/sizes", ContainsAny, sel(expr("", Gt, 1))), true, ""},
	}
	p := generic(t, props)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, present := resolve(p, c.x.Key)
			ok, why := eval(c.x, v, present)
			if ok != c.want {
				t.Fatalf("%s = %v (%s), want %v", showExpression(c.x), ok, why, c.want)
			}
			if !ok && !strings.Contains(why, c.why) {
				t.Errorf("why = %q, want it to contain %q", why, c.why)
			}
		})
	}
}

// TestPointers checks RFC 6901 resolution: ~1 and ~0 escapes, array
// indexes and what selects nothing.
func TestPointers(t *testing.T) {
	doc := generic(t, `{"a/b": {"c~d": 1}, "~1": "tilde-one", "cpus": [{"cores": 2}, {"cores": 8}], "": "empty"}`)
	cases := []struct {
		ptr     string
		want    string // show() of the value; "" for absent
		present bool
	}{
		{"/a~1b/c~0d", "1", true},
		{"/~01", `"tilde-one"`, true},
		{"/cpus/1/cores", "8", true},
		{"/cpus/0", `{"cores":2}`, true},
		{"/", `"empty"`, true},
		{"/cpus/01/cores", "", false},
		{"/cpus/-", "", false},
		{"/cpus/2", "", false},
		{"/cpus/x", "", false},
		{"/a/b", "", false},
		{"/a~1b/c~0d/deeper", "", false},
		{"nope", "", false},
	}
	for _, c := range cases {
		v, ok := resolve(doc, c.ptr)
		if ok != c.present || ok && show(v) != c.want {
			t.Errorf("resolve(%q) = %s, %v; want %s, %v", c.ptr, show(v), ok, c.want, c.present)
		}
	}
	if v, ok := resolve(doc, ""); !ok || v == nil {
		t.Errorf(`resolve("") must select the whole document`)
	}
	d := &Device{Properties: doc.(map[string]any)}
	r := checkRule(0, application.EligibilityRule{PropertySelector: sel(expr("/a~1b/c~0d", application.OpIn, 1))}, d)
	if !r.OK {
		t.Errorf("escaped pointer rule: %+v", r)
	}
}

func constraints(cores float64, archs ...string) *application.Constraints {
	return &application.Constraints{CPUCores: cores, Architectures: archs}
}

// TestCheckCPU: a single cpu entry must satisfy the cpu requirement; cores
// are never summed across entries; x86_64 reads as amd64.
func TestCheckCPU(t *testing.T) {
	cases := []struct {
		name    string
		c       *application.Constraints
		cpus    string // properties JSON
		ok      bool
		message string
	}{
		{"one entry has enough", constraints(4), `{"cpus": [{"cores": 2}, {"cores": 8}]}`, true, "device has 8 cores on cpu entry 1, profile needs 4 cores"},
		{"cores are not summed", constraints(4, "amd64"), `{"cpus": [{"cores": 2, "architecture": "amd64"}, {"cores": 2, "architecture": "amd64"}]}`, false,
			"device has 2 cores on its best amd64 cpu entry, profile needs 4 (cores are not summed across cpu entries)"},
		{"too few cores", constraints(4), `{"cpus": [{"cores": 2}]}`, false, "device has 2 cores on its best cpu entry, profile needs 4"},
		{"fractional cores", constraints(1.5), `{"cpus": [{"cores": 1.5}]}`, true, "1.5 cores"},
		{"x86_64 device, amd64 profile", constraints(2, "amd64"), `{"cpus": [{"cores": 4, "architecture": "x86_64"}]}`, true, "(amd64)"},
		{"amd64 device, x86_64 profile", constraints(2, "x86_64"), `{"cpus": [{"cores": 4, "architecture": "amd64"}]}`, true, ""},
		{"architecture mismatch", constraints(2, "amd64"), `{"cpus": [{"cores": 4, "architecture": "arm64"}]}`, false, "device cpus are arm64, profile needs amd64"},
		{"one of several architectures", constraints(2, "amd64", "arm64"), `{"cpus": [{"cores": 4, "architecture": "arm64"}]}`, true, "on amd64 or arm64"},
		{"cores and architecture on different entries", constraints(4, "amd64"),
			`{"cpus": [{"cores": 8, "architecture": "arm64"}, {"cores": 2, "architecture": "amd64"}]}`, false, "2 cores on its best amd64 cpu entry"},
		{"architecture only", constraints(0, "arm64"), `{"cpus": [{"cores": 1, "architecture": "aarch64"}]}`, true, "device has a cpu on arm64"},
		{"no cpus reported", constraints(1), `{"memory": "1Gi"}`, false, "device did not report its cpus; profile needs 1 core"},
		{"no cores reported", constraints(1), `{"cpus": [{"architecture": "amd64"}]}`, false, "did not report cpu cores"},
		{"no architecture reported", constraints(1, "amd64"), `{"cpus": [{"cores": 4}]}`, false, "did not report its cpu architecture"},
		{"P1 first layout cpu object", constraints(16, "amd64"), `{"resources": {"cpu": {"cores": 24, "architecture": "x86_64"}}}`, true, "24 cores"},
		{"P1 first layout cpu list", constraints(2), `{"resources": {"cpu": [{"cores": 1}, {"cores": 2}]}}`, true, "cpu entry 1"},
		{"architectures list (data-model generation)", constraints(2, "arm64"), `{"resources": {"cpu": {"cores": 4, "architectures": ["amd64", "arm64"]}}}`, true, "4 cores"},
		{"architectures list without the profile's", constraints(2, "arm"), `{"resources": {"cpu": {"cores": 4, "architectures": ["amd64", "arm64"]}}}`, false, "device cpus are amd64 or arm64, profile needs arm"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &Device{Properties: generic(t, c.cpus).(map[string]any)}
			r, applies := checkCPU(c.c, d)
			if !applies || r.Check != "cpu" || r.OK != c.ok || !strings.Contains(r.Message, c.message) {
				t.Errorf("got %+v (applies %v), want ok=%v message containing %q", r, applies, c.ok, c.message)
			}
		})
	}
	if _, applies := checkCPU(&application.Constraints{Memory: "1Gi"}, &Device{}); applies {
		t.Errorf("no cpu requirement must skip the check")
	}
}

// TestCheckQuantity: memory and storage compare as Kubernetes quantities;
// a figure the device does not report makes it ineligible.
func TestCheckQuantity(t *testing.T) {
	cases := []struct {
		name, check, need, props string
		ok                       bool
		message                  string
	}{
		{"equal in other units", "memory", "1024Mi", `{"memory": "1Gi"}`, true, "device has 1Gi memory, profile needs 1024Mi"},
		{"too little memory", "memory", "2Gi", `{"memory": "1024Mi"}`, false, "device has 1Gi memory, profile needs 2Gi"},
		{"Ki against Mi", "memory", "512Mi", `{"memory": "600000Ki"}`, true, ""},
		{"decimal units", "memory", "1900Mi", `{"memory": "2G"}`, true, ""},
		{"bytes as a number", "memory", "2Gi", `{"memory": 2147483648}`, true, ""},
		{"spaced figure of the spec page", "memory", "1024Mi", `{"resources": {"memory": "59 Gi"}}`, true, "59Gi"},
		{"storage Ti", "storage", "1Ti", `{"storage": "512Gi"}`, false, "device has 512Gi storage, profile needs 1Ti"},
		{"storage P1 first layout", "storage", "10Gi", `{"resources": {"storage": "1862 Gi"}}`, true, ""},
		{"memory missing", "memory", "512Mi", `{"storage": "1Gi"}`, false, "device did not report its memory; profile needs 512Mi"},
		{"storage missing", "storage", "10Gi", `{}`, false, "device did not report its storage"},
		{"not a quantity", "memory", "512Mi", `{"memory": "lots"}`, false, `device reports memory "lots", which is not a quantity`},
		{"not a string", "storage", "1Gi", `{"storage": {"size": 1}}`, false, "not a quantity"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &Device{Properties: generic(t, c.props).(map[string]any)}
			r, applies := checkQuantity(c.check, c.need, d)
			if !applies || r.Check != c.check || r.OK != c.ok || !strings.Contains(r.Message, c.message) {
				t.Errorf("got %+v, want ok=%v message containing %q", r, c.ok, c.message)
			}
		})
	}
	if _, applies := checkQuantity("memory", "", &Device{}); applies {
		t.Errorf("no memory requirement must skip the check")
	}
}

func TestCheckDeploymentType(t *testing.T) {
	cases := []struct {
		name, typ, props string
		ok               bool
		message          string
	}{
		{"listed", "helm", `{"supportedDeploymentTypes": ["helm", "compose"]}`, true, "device supports helm deployments"},
		{"not listed", "helm", `{"supportedDeploymentTypes": ["compose", "custom"]}`, false, "device supports compose or custom deployments, profile is helm"},
		{"custom", "custom", `{"supportedDeploymentTypes": ["compose", "custom"]}`, true, ""},
		{"helm.v3 reads as helm", "helm", `{"supportedDeploymentTypes": ["helm.v3"]}`, true, ""},
		{"not reported", "compose", `{"cpus": []}`, true, "device does not report supportedDeploymentTypes"},
		{"empty list", "compose", `{"supportedDeploymentTypes": []}`, false, "no supported deployment types"},
		{"not a list", "compose", `{"supportedDeploymentTypes": "compose"}`, false, "not a list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &Device{Properties: generic(t, c.props).(map[string]any)}
			r, applies := checkDeploymentType(c.typ, d)
			if !applies || r.OK != c.ok || !strings.Contains(r.Message, c.message) {
				t.Errorf("got %+v, want ok=%v message containing %q", r, c.ok, c.message)
			}
		})
	}
}

func checks(r Result) []string {
	var out []string
	for _, x := range r.Reasons {
		out = append(out, x.Check)
	}
	return out
}

// TestRulesAreORed: with rules, one matching rule is enough, and none is
// not eligible; each rule is reported.
func TestRulesAreORed(t *testing.T) {
	d := device(t, p2, nil)
	hasGPU := application.EligibilityRule{PropertySelector: sel(item("/peripherals", application.OpContainsAny, sel(expr("/type", application.OpIn, "gpu"))))}
	onSite := application.EligibilityRule{LabelSelector: sel(expr("site", application.OpIn, "plant-7"))}
	p := &application.Profile{Type: "compose", Constraints: &application.Constraints{EligibilityRules: []application.EligibilityRule{hasGPU, onSite}}}
	r := Check(p, d)
	if !r.Eligible || !slices.Equal(checks(r), []string{"deploymentType", "eligibilityRules[0]", "eligibilityRules[1]"}) {
		t.Fatalf("result: %+v", r)
	}
	if r.Reasons[1].OK || r.Reasons[1].Message != "propertySelector: /peripherals ContainsAny: the array is empty" || !r.Reasons[2].OK {
		t.Errorf("rule reasons: %+v", r.Reasons)
	}
	if r.Summary() != "" {
		t.Errorf("an eligible result has no summary: %q", r.Summary())
	}
	p.Constraints.EligibilityRules = []application.EligibilityRule{hasGPU}
	if r := Check(p, d); r.Eligible || !strings.Contains(r.Summary(), "eligibilityRules[0]: propertySelector: /peripherals") {
		t.Errorf("no rule matches: %+v %q", r, r.Summary())
	}
}

// TestRuleSelectorsAreANDed: inside one rule the property selector and the
// label selector must both match, and each selector's expressions too.
func TestRuleSelectorsAreANDed(t *testing.T) {
	d := device(t, p2, map[string]any{"site": "plant-9"})
	rule := application.EligibilityRule{
		PropertySelector: sel(expr("/cpus/0/architecture", application.OpIn, "arm64"), expr("/otelCollector", application.OpIn, true)),
		LabelSelector:    sel(expr("tier", application.OpGt, 1), expr("site", application.OpIn, "plant-7")),
	}
	r := checkRule(0, rule, d)
	if r.OK || r.Message != `labelSelector: site In: "plant-9" is not in ["plant-7"]` {
		t.Errorf("operator label must win and fail the rule: %+v", r)
	}
	rule.LabelSelector.MatchExpressions[1].Values = []any{"plant-9"}
	if r := checkRule(0, rule, d); !r.OK || !strings.HasPrefix(r.Message, "device matches propertySelector {") || !strings.Contains(r.Message, "and labelSelector") {
		t.Errorf("both selectors match: %+v", r)
	}
	rule.PropertySelector.MatchExpressions[1].Values = []any{false}
	if r := checkRule(0, rule, d); r.OK || r.Message != "propertySelector: /otelCollector In: true is not in [false]" {
		t.Errorf("second property expression fails: %+v", r)
	}
	if r := checkRule(3, application.EligibilityRule{}, d); r.OK || r.Check != "eligibilityRules[3]" {
		t.Errorf("a rule without selectors: %+v", r)
	}
}

// specProfile is the newest-format example of the spec, parsed: a helm
// profile needing 1.5 amd64 cores, 1024Mi, 10Gi and an NVIDIA GPU.
func specProfile(t testing.TB) *application.Profile {
	t.Helper()
	d, err := application.Parse([]byte(`apiVersion: v1
id: com-northstartida-digitron-orchestrator
metadata: {name: Digitron, version: 1.2.1, catalog: {organization: [{name: Northstar}]}}
deploymentProfiles:
  - type: helm
    id: helm-a
    components: [{name: c, properties: {repository: oci://r/c, revision: 1.0.9}}]
    deviceConstraints:
      capacityRequirements: {cpu: {cores: 1.5, architectures: [amd64]}, memory: 1024Mi, storage: 10Gi}
      eligibilityRules:
        - propertySelector:
            matchExpressions:
              - key: /peripherals
                operator: ContainsAll
                itemSelector: {matchExpressions: [{key: /type, operator: In, values: [gpu]}, {key: /manufacturer, operator: In, values: [NVIDIA]}]}
`))
	if err != nil {
		t.Fatalf("Parse: %v %v", err, fault.As(err).Violations)
	}
	return &d.Profiles[0]
}

// TestCheckLayouts runs the spec's example profile against the three
// capabilities layouts.
func TestCheckLayouts(t *testing.T) {
	p := specProfile(t)
	order := []string{"deploymentType", "cpu", "memory", "storage", "eligibilityRules[0]"}
	cases := []struct {
		name     string
		doc      string
		eligible bool
		failed   map[string]string // check -> message
	}{
		{"P1 first layout", p1Resources, true, nil},
		{"P1 flat layout", p1Flat, false, map[string]string{
			"eligibilityRules[0]": `propertySelector: /peripherals ContainsAll: no element matches itemSelector {/type In ["gpu"], /manufacturer In ["NVIDIA"]}`,
		}},
		{"P2", p2, false, map[string]string{
			"deploymentType":      "device supports compose or custom deployments, profile is helm",
			"cpu":                 "device cpus are arm64, profile needs amd64",
			"eligibilityRules[0]": "propertySelector: /peripherals ContainsAll: the array is empty",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Check(p, device(t, c.doc, nil))
			if r.Eligible != c.eligible || !slices.Equal(checks(r), order) {
				t.Fatalf("result: %+v", r)
			}
			for _, x := range r.Reasons {
				want, failed := c.failed[x.Check]
				if x.OK == failed || failed && x.Message != want {
					t.Errorf("%s: got ok=%v %q, want failed=%v %q", x.Check, x.OK, x.Message, failed, want)
				}
			}
		})
	}
}

// TestCheckSkipsAbsentRequirements: only the deployment type is checked
// for a profile without constraints; a nil device reported nothing.
func TestCheckSkipsAbsentRequirements(t *testing.T) {
	r := Check(&application.Profile{Type: "helm"}, device(t, p1Flat, nil))
	if !r.Eligible || !slices.Equal(checks(r), []string{"deploymentType"}) {
		t.Errorf("result: %+v", r)
	}
	r = Check(&application.Profile{Type: "helm", Constraints: &application.Constraints{Memory: "1Gi"}}, nil)
	if r.Eligible || !slices.Equal(checks(r), []string{"deploymentType", "memory"}) || r.Summary() != "memory: device did not report its memory; profile needs 1Gi" {
		t.Errorf("nil device: %+v %q", r, r.Summary())
	}
	if r := Check(nil, nil); r.Eligible || len(r.Reasons) != 1 {
		t.Errorf("nil profile: %+v", r)
	}
	b, _ := json.Marshal(Check(&application.Profile{}, &Device{}))
	if string(b) != `{"eligible":true,"reasons":[]}` {
		t.Errorf("json: %s", b)
	}
}

func TestNewDevice(t *testing.T) {
	d := device(t, p1Resources, map[string]any{"site": "lab"})
	if _, ok := d.Properties["resources"]; !ok {
		t.Errorf("resources must stay")
	}
	if show(d.Properties["cpus"]) != `[{"architecture":"x86_64","cores":24}]` || d.Properties["memory"] != "59 Gi" || d.Properties["peripherals"] == nil {
		t.Errorf("first-layout members not lifted: %v", d.Properties)
	}
	if d.Labels["site"] != "lab" {
		t.Errorf("labels: %v", d.Labels)
	}
	d = device(t, p2, map[string]any{"tier": 3.0, "owner": "ops"})
	if d.Labels["tier"] != 3.0 || d.Labels["site"] != "plant-7" || d.Labels["owner"] != "ops" || len(d.Labels) != 5 {
		t.Errorf("operator labels must overlay: %v", d.Labels)
	}
	if d.Properties["cpus"].([]any)[0].(map[string]any)["cores"] != json.Number("1.5") {
		t.Errorf("numbers must decode as json.Number: %#v", d.Properties["cpus"])
	}
	flat := device(t, p1Flat, nil)
	if len(flat.Properties["cpus"].([]any)) != 2 || len(flat.Labels) != 0 {
		t.Errorf("flat layout: %v %v", flat.Properties, flat.Labels)
	}
	for _, bad := range []string{``, `[1]`, `null`, `{"properties": []}`, `{"apiVersion": "x"}`, `{"properties": {}, "labels": [1]}`, `{"properties": {}} {}`, `{"properties": `} {
		if _, err := NewDevice(json.RawMessage(bad), nil); !fault.Is(err, fault.BadRequest) {
			t.Errorf("NewDevice(%q) = %v, want BadRequest", bad, err)
		}
	}
}

func TestLabelSelectorMatches(t *testing.T) {
	labels := generic(t, `{"site": "plant-7", "tier": 2, "gpu": false, "zones": ["a", "b"], "rack": "12"}`).(map[string]any)
	cases := []struct {
		name string
		s    LabelSelector
		want bool
	}{
		{"empty matches all", LabelSelector{}, true},
		{"string label", LabelSelector{MatchLabels: map[string]any{"site": "plant-7"}}, true},
		{"string label differs", LabelSelector{MatchLabels: map[string]any{"site": "plant-8"}}, false},
		{"number numerically", LabelSelector{MatchLabels: map[string]any{"tier": 2.0}}, true},
		{"number against its string form", LabelSelector{MatchLabels: map[string]any{"tier": "2"}}, true},
		{"numeric string label against a number", LabelSelector{MatchLabels: map[string]any{"rack": 12}}, true},
		{"bool against its string form", LabelSelector{MatchLabels: map[string]any{"gpu": "false"}}, true},
		{"bool differs", LabelSelector{MatchLabels: map[string]any{"gpu": true}}, false},
		{"list label holds the value", LabelSelector{MatchLabels: map[string]any{"zones": "b"}}, true},
		{"absent label", LabelSelector{MatchLabels: map[string]any{"owner": "ops"}}, false},
		{"all labels must match", LabelSelector{MatchLabels: map[string]any{"site": "plant-7", "tier": 3}}, false},
		{"expressions", LabelSelector{MatchExpressions: []application.Expression{expr("tier", application.OpGt, 1), expr("owner", application.OpDoesNotExist)}}, true},
		{"labels and expressions ANDed", LabelSelector{MatchLabels: map[string]any{"site": "plant-7"}, MatchExpressions: []application.Expression{expr("tier", application.OpLt, 2)}}, false},
		{"containment on a list label", LabelSelector{MatchExpressions: []application.Expression{item("zones", application.OpContainsAny, sel(expr("", application.OpIn, "b")))}}, true},
	}
	for _, c := range cases {
		if got := c.s.Matches(labels); got != c.want {
			t.Errorf("%s: Matches = %v, want %v", c.name, got, c.want)
		}
	}
	if !(LabelSelector{}).Empty() || (LabelSelector{MatchLabels: map[string]any{"a": "b"}}).Empty() {
		t.Errorf("Empty")
	}
}

func TestLabelSelectorValidate(t *testing.T) {
	s := LabelSelector{
		MatchLabels: map[string]any{"margo.org/site": "a", "tier": 2, "ok": true, "zones": []any{"a"}, "": "x"},
		MatchExpressions: []application.Expression{
			expr("site", application.OpIn),
			expr("tier", "Near", 1),
			item("zones", application.OpContainsAll, sel(expr("type", application.OpIn, "a"))),
		},
	}
	var got []string
	for _, v := range s.Validate() {
		got = append(got, v.Field)
	}
	want := []string{
		`target.selector.matchLabels[""]`,
		"target.selector.matchLabels.zones",
		"target.selector.matchExpressions[0].values",
		"target.selector.matchExpressions[1].operator",
		"target.selector.matchExpressions[2].itemSelector.matchExpressions[0].key",
	}
	if !slices.Equal(got, want) {
		t.Errorf("fields = %v\nwant %v", got, want)
	}
	ok := LabelSelector{MatchLabels: map[string]any{"margo.org/site": "a"}, MatchExpressions: []application.Expression{expr("tier", application.OpGt, "1")}}
	if vs := ok.Validate(); len(vs) != 0 {
		t.Errorf("valid selector: %v", vs)
	}
}

// TestSummary names every failed check; failed rules only when no rule matched.
func TestSummary(t *testing.T) {
	r := Result{Reasons: []Reason{
		{Check: "cpu", Message: "device has 2 cores on its best cpu entry, profile needs 4"},
		{Check: "memory", OK: true, Message: "fine"},
		{Check: "eligibilityRules[0]", Message: "labelSelector: site In: absent"},
		{Check: "eligibilityRules[1]", OK: true, Message: "device matches"},
	}}
	if got := r.Summary(); got != "cpu: device has 2 cores on its best cpu entry, profile needs 4" {
		t.Errorf("summary = %q", got)
	}
	r.Reasons = r.Reasons[:3]
	if got := r.Summary(); !strings.HasSuffix(got, "; eligibilityRules[0]: labelSelector: site In: absent") {
		t.Errorf("summary = %q", got)
	}
}

// TestShowShortens keeps messages readable when a device value is large.
func TestShowShortens(t *testing.T) {
	long := strings.Repeat("é", 100)
	s := show(long)
	if len(s) > maxShown || !strings.HasSuffix(s, "...") || !bytes.ContainsRune([]byte(s), 'é') {
		t.Errorf("show = %q", s)
	}
}
