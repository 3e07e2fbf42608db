package document

import (
	"io/fs"
	"testing"
)

func TestEmbeddedSchemasCompile(t *testing.T) {
	schemas, err := compiledSchemas()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(schemaFS, "schema/*.json")
	if len(schemas) != len(files) || len(files) < 10 {
		t.Fatalf("compiled %d schemas from %d files", len(schemas), len(files))
	}
	for _, name := range []string{schemaOnboarding, schemaOnboardingResponse, schemaCapsResources, schemaCapsFlat,
		schemaCapsP2, schemaStatus, schemaManifest, schemaDeploymentP1, schemaDeploymentP1TopID, schemaDeploymentP2} {
		if schemas[name] == nil {
			t.Errorf("schema %s missing", name)
		}
	}
}

func TestFieldPaths(t *testing.T) {
	cases := []struct {
		p    path
		want string
	}{
		{"", RootField},
		{path("").key("properties").key("cpus").index(0).key("architecture"), "properties.cpus[0].architecture"},
		{path("labels").key("a.b/c"), `labels["a.b/c"]`},
		{path("").key("x-acme-extensions"), "x-acme-extensions"},
		{path("").key("0"), `["0"]`},
	}
	for _, c := range cases {
		if got := c.p.String(); got != c.want {
			t.Errorf("path = %q, want %q", got, c.want)
		}
	}
}

// Parsers share the compiled schemas; they must be safe for concurrent use.
func TestParseConcurrently(t *testing.T) {
	status := readFile(t, "status.json")
	caps := readFile(t, "capabilities-p1-flat.json")
	done := make(chan error)
	for range 8 {
		go func() {
			for range 20 {
				if _, err := ParseStatus(status); err != nil {
					done <- err
					return
				}
				if _, err := ParseCapabilities(caps); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
