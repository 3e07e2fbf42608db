package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestMalformedJSONNamesLineAndColumn(t *testing.T) {
	_, err := Parse("host.json", []byte("{\n  \"name\": \"x\",\n  \"vendors\": [,]\n}"), env(nil))
	if err == nil || !strings.HasPrefix(err.Error(), "host.json:3:16: malformed JSON") {
		t.Fatalf("error = %v", err)
	}
}

func TestUnknownTopLevelField(t *testing.T) {
	_, err := Parse("h.json", []byte(`{"name":"x","vendor":[]}`), env(nil))
	if err == nil || !strings.Contains(err.Error(), "h.json: vendor: unknown field") {
		t.Fatalf("error = %v", err)
	}
}

func TestNameIsRequired(t *testing.T) {
	_, err := Parse("h.json", []byte(`{}`), env(nil))
	if err == nil || !strings.Contains(err.Error(), "h.json: name: required") {
		t.Fatalf("error = %v", err)
	}
}

func TestProvidersKeepDocumentOrder(t *testing.T) {
	h, err := Parse("h.json", []byte(`{"name":"x","providers":{"zeta":{"type":"a.b"},"alpha":{"type":"a.c"},"mid":{"type":"a.d"}}}`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range h.Providers {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "zeta,alpha,mid" {
		t.Fatalf("order = %v", names)
	}
}

func TestNestedPathsCarryIndices(t *testing.T) {
	doc := `{"name":"x","vendors":[{"type":"v.a"},{"type":"v.b","managers":[{"type":"m.a"},{"type":"m.b","uses":{"state":7}}]}]}`
	_, err := Parse("h.json", []byte(doc), env(nil))
	if err == nil || !strings.Contains(err.Error(), "h.json: vendors[1].managers[1].uses.state: expected a provider instance name or a list of them, got a number") {
		t.Fatalf("error = %v", err)
	}
}

func TestEnvironmentReferences(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := `{"name":"${env:HOST_NAME}","providers":{"p":{"type":"a.b","config":{"token":"${file:` + secret + `}","lit":"$${env:X}","def":"${env:NOPE:-fallback}"}}}}`
	h, err := Parse("h.json", []byte(doc), env(map[string]string{"HOST_NAME": "edge-1"}))
	if err != nil {
		t.Fatal(err)
	}
	if h.Name != "edge-1" {
		t.Fatalf("name = %q", h.Name)
	}
	got := string(h.Providers[0].Config)
	for _, want := range []string{`"token":"s3cr3t"`, `"lit":"${env:X}"`, `"def":"fallback"`} {
		if !strings.Contains(got, want) {
			t.Fatalf("config %s lacks %s", got, want)
		}
	}
}

func TestMissingEnvironmentVariableNamesPath(t *testing.T) {
	_, err := Parse("h.json", []byte(`{"name":"x","bindings":[{"type":"b.c","config":{"tls":{"key":"${env:TLS_KEY}"}}}]}`), env(nil))
	if err == nil || !strings.Contains(err.Error(), "h.json: bindings[0].config.tls.key: environment variable TLS_KEY is not set") {
		t.Fatalf("error = %v", err)
	}
}

type modCfg struct {
	Path   string   `json:"path"`
	Every  Duration `json:"every,omitempty"`
	Nested struct {
		Items []struct {
			N int `json:"n"`
		} `json:"items"`
	} `json:"nested"`
	applied bool
}

func (c *modCfg) Defaults() { c.Every = Duration(5e9); c.applied = true }
func (c *modCfg) Validate() error {
	if c.Path == "" {
		return Errors{Field("path", "required"), Field("nested.items[0].n", "demo")}
	}
	return nil
}

func TestDecodeModule(t *testing.T) {
	cases := []struct{ name, raw, want string }{
		{"unknown nested field", `{"path":"p","nested":{"items":[{"n":1},{"m":2}]}}`, "f.json: providers.s.config.nested.items[1].m: unknown field; known fields: n"},
		{"bad duration", `{"path":"p","every":"soon"}`, `f.json: providers.s.config.every: invalid duration "soon"`},
		{"wrong type", `{"path":3}`, "f.json: providers.s.config.path: expected a string, got a number"},
		{"validate errors get the prefix", `{}`, "f.json: providers.s.config.path: required\nf.json: providers.s.config.nested.items[0].n: demo"},
		{"fraction for an int", `{"path":"p","nested":{"items":[{"n":1.5}]}}`, "f.json: providers.s.config.nested.items[0].n: expected an integer, got 1.5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c modCfg
			err := DecodeModule("f.json", "providers.s.config", []byte(tc.raw), &c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v\nwant %q", err, tc.want)
			}
		})
	}
	var c modCfg
	if err := DecodeModule("f.json", "x", []byte(`{"path":"p"}`), &c); err != nil || !c.applied || c.Every.D().Seconds() != 5 {
		t.Fatalf("defaults not applied: %+v %v", c, err)
	}
}
