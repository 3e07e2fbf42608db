package compose

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/module"
)

func TestConfigDefaultsAndValidate(t *testing.T) {
	p := &Provider{}
	cfg := p.ConfigTarget().(*Config)
	cfg.Defaults()
	if err := json.Unmarshal([]byte(`{"dockerHost":"unix:///run/docker.sock","defaultTimeout":"90s"}`), cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("defaults + overrides: %v", err)
	}
	if cfg.WorkDir != DefaultWorkDir || !cfg.AllowFileURLs || cfg.RemoveVolumes || cfg.DefaultTimeout.D().Seconds() != 90 {
		t.Fatalf("config %+v", cfg)
	}
	bad := Config{}
	err := bad.Validate()
	if err == nil || !strings.Contains(err.Error(), "workDir") || !strings.Contains(err.Error(), "defaultTimeout") {
		t.Fatalf("empty config: %v, want workDir and defaultTimeout errors", err)
	}
}

func TestRegistered(t *testing.T) {
	if !slices.Contains((&Provider{}).Types(), ProfileType) {
		t.Fatal("Types lacks compose")
	}
	if _, err := module.Lookup(ID); err != nil {
		t.Fatalf("%s is not registered: %v", ID, err)
	}
}

func TestConfigOCIMediaTypes(t *testing.T) {
	var cfg Config
	cfg.Defaults()
	if err := json.Unmarshal([]byte(`{"ociMediaTypes":["application/vnd.example.compose.tar+gzip"]}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("one media type: %v", err)
	}
	cfg.OCIMediaTypes = []string{"gzip"}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "ociMediaTypes[0]") {
		t.Fatalf("a media type without '/': %v, want an ociMediaTypes[0] error", err)
	}
}
