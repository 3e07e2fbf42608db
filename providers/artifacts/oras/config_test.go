package oras

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
)

func TestConfigDefaultsAndDecode(t *testing.T) {
	var cfg Config
	raw := `{"cacheDir": "var/agent/artifacts", "registries": {"r.example:5000": {"ca": "ca.pem", "username": "u", "password": "p"}},
		"credentialsFile": "~/.docker/config.json", "layouts": {"usb": "/media/usb/oci"}, "timeout": "1m"}`
	if err := config.DecodeModule("", "", json.RawMessage(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Retries != DefaultRetries || cfg.Backoff.D() != DefaultBackoff || cfg.MaxSize != DefaultMaxSize || cfg.Timeout.String() != "1m0s" {
		t.Fatalf("defaults not kept or timeout not read: %+v", cfg)
	}
	if r := cfg.Registries["r.example:5000"]; r.PlainHTTP || r.CA != "ca.pem" || r.Username != "u" {
		t.Fatalf("registry config %+v", r)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct{ json, field string }{
		{`{}`, "cacheDir"},
		{`{"cacheDir": "c", "registries": {"https://r.example": {}}}`, `registries["https://r.example"]`},
		{`{"cacheDir": "c", "registries": {"r.example:": {}}}`, `registries["r.example:"]`},
		{`{"cacheDir": "c", "registries": {"r": {"plainHTTP": true, "ca": "x.pem"}}}`, `registries["r"]`},
		{`{"cacheDir": "c", "registries": {"r": {"ca": "x.pem", "insecureSkipVerify": true}}}`, `registries["r"]`},
		{`{"cacheDir": "c", "registries": {"r": {"token": "t", "username": "u", "password": "p"}}}`, `registries["r"]`},
		{`{"cacheDir": "c", "registries": {"r": {"username": "u"}}}`, `registries["r"]`},
		{`{"cacheDir": "c", "registries": {"r": {"layout": "/oci", "plainHTTP": true}}}`, `registries["r"]`},
		{`{"cacheDir": "c", "registries": {"r": {"layout": "/oci", "token": "t"}}}`, `registries["r"]`},
		{`{"cacheDir": "c", "layouts": {"a/b": "/x"}}`, `layouts["a/b"]`},
		{`{"cacheDir": "c", "layouts": {"a": ""}}`, `layouts["a"]`},
		{`{"cacheDir": "c", "retries": -1}`, "retries"},
		{`{"cacheDir": "c", "backoff": "0s"}`, "backoff"},
		{`{"cacheDir": "c", "timeout": "-1s"}`, "timeout"},
		{`{"cacheDir": "c", "maxSize": 0}`, "maxSize"},
		{`{"cacheDir": "c", "plainHTTP": true}`, "plainHTTP"}, // unknown at the top level
	} {
		var cfg Config
		err := config.DecodeModule("", "", json.RawMessage(c.json), &cfg)
		var errs config.Errors
		if !errors.As(err, &errs) || len(errs) != 1 || !strings.Contains(errs[0].Path, c.field) {
			t.Errorf("DecodeModule(%s) = %v; want one error on %q", c.json, err, c.field)
		}
	}
}

// The host builds the module from its registration: config, then Init.
func TestRegisteredModule(t *testing.T) {
	reg, err := module.Lookup(ID)
	if err != nil {
		t.Fatal(err)
	}
	m := reg.New()
	p, ok := m.(*Puller)
	if !ok {
		t.Fatalf("registered factory builds %T", m)
	}
	if _, ok := m.(artifacts.Puller); !ok {
		t.Fatal("the module is not an artifacts.Puller")
	}
	if _, err := p.Pull(t.Context(), "r.example/a:1", artifacts.PullOptions{}); fault.CodeOf(err) != fault.Unavailable {
		t.Fatalf("Pull before Init: %v, want Unavailable", err)
	}
	if err := p.Health(t.Context()); err == nil {
		t.Fatal("Health before Init is nil")
	}
	raw := `{"cacheDir": "` + t.TempDir() + `/cache"}`
	if err := config.DecodeModule("", "", json.RawMessage(raw), p.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	if err := p.Init(t.Context(), &module.Env{ID: ID, Name: "artifacts"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Health(t.Context()); err != nil {
		t.Fatalf("Health after Init: %v", err)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}
