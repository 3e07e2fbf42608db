package helm

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
)

// initProvider decodes raw like the host and runs Init.
func initProvider(t *testing.T, raw string) (*Provider, error) {
	t.Helper()
	p := &Provider{}
	if err := config.DecodeModule("test.json", "providers.workload.config", json.RawMessage(raw), p.ConfigTarget()); err != nil {
		return nil, err
	}
	return p, p.Init(context.Background(), &module.Env{ID: ID, Logger: testLogger(t)})
}

func TestInitWithoutClusterFails(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "missing"))
	t.Setenv("HOME", t.TempDir())
	_, err := initProvider(t, `{}`)
	if err == nil || !strings.Contains(err.Error(), "no Kubernetes cluster configured: set workload.helm's kubeconfig (or KUBECONFIG)") {
		t.Fatalf("Init without a kubeconfig: %v; want the no-cluster error", err)
	}
}

func TestConfigValidation(t *testing.T) {
	for _, raw := range []string{`{"driver":"etcd"}`, `{"defaultTimeout":"0s"}`, `{"plainHTTP":["http://x"]}`, `{"unknown":1}`} {
		if _, err := initProvider(t, raw); err == nil {
			t.Errorf("config %s accepted", raw)
		}
	}
	p, err := initProvider(t, `{"fake":true}`)
	if err != nil {
		t.Fatalf("fake config: %v", err)
	}
	if p.cfg.Driver != DefaultDriver || p.cfg.DefaultTimeout.D() != DefaultTimeout {
		t.Fatalf("defaults not applied: %+v", p.cfg)
	}
	if got := p.Types(); len(got) != 2 || got[0] != "helm.v3" || got[1] != "helm" {
		t.Fatalf("Types = %q", got)
	}
}
