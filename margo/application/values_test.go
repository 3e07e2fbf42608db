package application

import (
	"fmt"
	"strings"
	"testing"
)

// app builds a description with one parameter "v" (default def, nil for
// none) validated by rule, which is written in YAML flow style.
func app(t *testing.T, def any, immutable bool, rule string) *Description {
	t.Helper()
	value := ""
	if def != nil {
		value = fmt.Sprintf("value: %v, ", def)
	}
	doc := fmt.Sprintf(`apiVersion: v1
id: a
metadata: {name: A, version: "1", catalog: {organization: [{name: O}]}}
deploymentProfiles: [{type: helm, id: p, components: [{name: c, properties: {repository: oci://r/c, revision: 1.0.0}}]}]
parameters:
  v: {%stargets: [{pointer: v, components: [c]}]}
configuration:
  sections: [{name: S, settings: [{parameter: v, name: V, immutable: %v, schema: r}]}]
  schema: [%s]
`, value, immutable, rule)
	d, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	return d
}

func TestValidateValues(t *testing.T) {
	tests := []struct {
		name     string
		def      any
		rule     string
		value    any // absent when omitted is set
		omitted  bool
		wantErr  string // substring of the only violation; "" = valid
		previous map[string]any
		immut    bool
	}{
		{name: "string ok", rule: "{name: r, dataType: string}", value: "x"},
		{name: "string type", rule: "{name: r, dataType: string}", value: 3, wantErr: "type string"},
		{name: "integer ok", rule: "{name: r, dataType: integer}", value: 3.0},
		{name: "integer type", rule: "{name: r, dataType: integer}", value: 3.5, wantErr: "type integer"},
		{name: "integer from string", rule: "{name: r, dataType: integer}", value: "3", wantErr: "type integer"},
		{name: "double ok", rule: "{name: r, dataType: double}", value: 2},
		{name: "double type", rule: "{name: r, dataType: double}", value: true, wantErr: "type double"},
		{name: "boolean ok", rule: "{name: r, dataType: boolean}", value: false},
		{name: "boolean type", rule: "{name: r, dataType: boolean}", value: "true", wantErr: "type boolean"},
		{name: "required", rule: "{name: r, dataType: string}", omitted: true, wantErr: "is required"},
		{name: "default satisfies", def: "dflt", rule: "{name: r, dataType: string}", omitted: true},
		{name: "default checked", def: 500, rule: "{name: r, dataType: integer, maxValue: 360}", omitted: true, wantErr: "at most 360"},
		{name: "empty rejected", rule: "{name: r, dataType: string}", value: "", wantErr: "must not be empty"},
		{name: "null rejected", def: "d", rule: "{name: r, dataType: string}", value: nil, wantErr: "must not be empty"},
		{name: "allowEmpty", rule: "{name: r, dataType: string, allowEmpty: true}", value: ""},
		{name: "allowEmpty omitted", rule: "{name: r, dataType: string, allowEmpty: true}", omitted: true},
		{name: "minLength", rule: "{name: r, dataType: string, minLength: 3}", value: "ab", wantErr: "at least 3 characters"},
		{name: "maxLength runes", rule: "{name: r, dataType: string, maxLength: 2}", value: "éé"},
		{name: "maxLength", rule: "{name: r, dataType: string, maxLength: 2}", value: "abc", wantErr: "at most 2 characters"},
		{name: "regexMatch ok", rule: `{name: r, dataType: string, regexMatch: "^[a-z]+$"}`, value: "abc"},
		{name: "regexMatch", rule: `{name: r, dataType: string, regexMatch: "^[a-z]+$"}`, value: "ab1", wantErr: "must match"},
		{name: "minValue", rule: "{name: r, dataType: integer, minValue: 30}", value: 29, wantErr: "at least 30"},
		{name: "maxValue double", rule: "{name: r, dataType: double, maxValue: 1.5}", value: 1.51, wantErr: "at most 1.5"},
		{name: "minPrecision", rule: "{name: r, dataType: double, minPrecision: 2}", value: 1.5, wantErr: "at least 2 decimal"},
		{name: "maxPrecision", rule: "{name: r, dataType: double, maxPrecision: 2}", value: 1.125, wantErr: "at most 2 decimal"},
		{name: "precision ok", rule: "{name: r, dataType: double, minPrecision: 1, maxPrecision: 2}", value: 1.25},
		{name: "option ok", rule: "{name: r, dataType: string, options: [a, b]}", value: "b"},
		{name: "option", rule: "{name: r, dataType: string, options: [a, b]}", value: "c", wantErr: "must be one of"},
		{name: "integer option", rule: "{name: r, dataType: integer, options: [1, 2]}", value: 2.0},
		{name: "multiselect ok", rule: "{name: r, dataType: string, multiselect: true, options: [a, b]}", value: []any{"a", "b"}},
		{name: "multiselect not array", rule: "{name: r, dataType: string, multiselect: true, options: [a, b]}", value: "a", wantErr: "array of options"},
		{name: "multiselect bad element", rule: "{name: r, dataType: array, multiselect: true, options: [a, b]}", value: []any{"a", "z"}, wantErr: "must be one of"},
		{name: "multiselect twice", rule: "{name: r, dataType: array, multiselect: true, options: [a, b]}", value: []any{"a", "a"}, wantErr: "twice"},
		{name: "single select array", rule: "{name: r, dataType: array, options: [a, b]}", value: []any{"a", "b"}, wantErr: "at most one"},
		{name: "empty array", rule: "{name: r, dataType: array, options: [a]}", value: []any{}, wantErr: "must not be empty"},
		{name: "immutable unchanged", immut: true, rule: "{name: r, dataType: string}", value: "x", previous: map[string]any{"v": "x"}},
		{name: "immutable changed", immut: true, rule: "{name: r, dataType: string}", value: "y", previous: map[string]any{"v": "x"}, wantErr: "immutable"},
		{name: "immutable on create", immut: true, rule: "{name: r, dataType: string}", value: "y"},
		{name: "immutable default kept", immut: true, def: 5, rule: "{name: r, dataType: integer}", value: 5, previous: map[string]any{}},
		{name: "mutable changed", rule: "{name: r, dataType: string}", value: "y", previous: map[string]any{"v": "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := app(t, tc.def, tc.immut, tc.rule)
			values := map[string]any{}
			if !tc.omitted {
				values["v"] = tc.value
			}
			vs := ValidateValues(d, values, tc.previous)
			switch {
			case tc.wantErr == "" && len(vs) > 0:
				t.Fatalf("unexpected violations %v", vs)
			case tc.wantErr != "" && len(vs) != 1:
				t.Fatalf("violations %v, want one containing %q", vs, tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(vs[0].Message, tc.wantErr):
				t.Fatalf("violation %v, want %q", vs[0], tc.wantErr)
			case tc.wantErr != "" && !strings.HasPrefix(vs[0].Field, "parameters.v"):
				t.Fatalf("field %q", vs[0].Field)
			}
		})
	}
}

func TestValidateValuesUnknownParameter(t *testing.T) {
	d := app(t, "x", false, "{name: r, dataType: string}")
	vs := ValidateValues(d, map[string]any{"nope": 1, "v": "ok"}, nil)
	if len(vs) != 1 || vs[0].Field != "parameters.nope" {
		t.Fatalf("violations %v", vs)
	}
}

func TestValidateValuesExample(t *testing.T) {
	d := mustParse(t, "testdata/v1.yaml")
	if vs := ValidateValues(d, map[string]any{"idpName": "corp"}, nil); len(vs) != 0 {
		t.Fatalf("valid values rejected: %v", vs)
	}
	vs := ValidateValues(d, map[string]any{"pollFrequency": 10}, nil)
	if len(vs) != 2 {
		t.Fatalf("want pollFrequency range and idpName required, got %v", vs)
	}
}
