package helm

import (
	"reflect"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

func TestValues(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]any
		want    map[string]any
		wantErr bool
	}{
		{"nil", nil, map[string]any{}, false},
		{"top level", map[string]any{"replicas": 3.0}, map[string]any{"replicas": 3.0}, false},
		{"nested", map[string]any{"settings.pollFrequency": "120"},
			map[string]any{"settings": map[string]any{"pollFrequency": "120"}}, false},
		{"siblings merge", map[string]any{"idp.providerUrl": "https://x", "idp.providerMetadata": "https://x", "idp.enabled": true},
			map[string]any{"idp": map[string]any{"providerUrl": "https://x", "providerMetadata": "https://x", "enabled": true}}, false},
		{"deep", map[string]any{"a.b.c.d": 1.5}, map[string]any{"a": map[string]any{"b": map[string]any{"c": map[string]any{"d": 1.5}}}}, false},
		{"array as given", map[string]any{"hosts": []any{"a", "b"}}, map[string]any{"hosts": []any{"a", "b"}}, false},
		{"escaped dot", map[string]any{`annotations.example\.com/x`: "y"},
			map[string]any{"annotations": map[string]any{"example.com/x": "y"}}, false},
		{"string stays string", map[string]any{"port": "8080"}, map[string]any{"port": "8080"}, false},
		{"leaf then map conflict", map[string]any{"a": "x", "a.b": "y"}, nil, true},
		{"empty key", map[string]any{"a..b": "x"}, nil, true},
		{"trailing dot", map[string]any{"a.": "x"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Values(tt.params)
			if tt.wantErr {
				if !fault.Is(err, fault.BadRequest) {
					t.Fatalf("Values = %v, %v; want a BadRequest error", got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Values = %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
}

func TestSameValues(t *testing.T) {
	a := map[string]any{"s": map[string]any{"n": 3.0, "l": []any{"x"}}}
	b := map[string]any{"s": map[string]any{"l": []any{"x"}, "n": 3}}
	if !sameValues(a, b) || !sameValues(nil, map[string]any{}) {
		t.Fatal("equal values compare unequal")
	}
	if sameValues(a, map[string]any{"s": map[string]any{"n": 4.0, "l": []any{"x"}}}) {
		t.Fatal("different values compare equal")
	}
}

func TestChartRef(t *testing.T) {
	tests := []struct{ repo, rev, want string }{
		{"oci://r.example/charts/app", "1.2.3", "oci://r.example/charts/app:1.2.3"},
		{"r.example:5000/charts/app", "1.2.3+build.1", "oci://r.example:5000/charts/app:1.2.3_build.1"},
		{"oci://r.example/charts/app:9.9.9", "1.0.0", "oci://r.example/charts/app:9.9.9"},
		{"oci://r.example/charts/app@sha256:abc", "1.0.0", "oci://r.example/charts/app@sha256:abc"},
	}
	for _, tt := range tests {
		got, err := chartRef(component(tt.repo, tt.rev, "x"))
		if err != nil || got != tt.want {
			t.Errorf("chartRef(%q, %q) = %q, %v; want %q", tt.repo, tt.rev, got, err, tt.want)
		}
	}
	for _, repo := range []string{"", "https://r.example/charts/app"} {
		if _, err := chartRef(component(repo, "1.0.0", "x")); !fault.Is(err, fault.BadRequest) {
			t.Errorf("chartRef(%q) = %v; want BadRequest", repo, err)
		}
	}
}
