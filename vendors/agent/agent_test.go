package agent

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/managers/sync"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

// newVendor builds a vendor over an initialised (not started) managers.sync.
func newVendor(t *testing.T, cfg string) *Vendor {
	t.Helper()
	m := sync.New()
	if err := config.DecodeModule("t.json", "m", []byte(`{"wfm": {"url": "https://127.0.0.1:1/api/v1"}, "identity": {"dir": "`+t.TempDir()+`"}}`), m.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	if err := m.Init(context.Background(), &module.Env{ID: sync.ID, Uses: map[string]module.Module{"state": memory.New()}}); err != nil {
		t.Fatal(err)
	}
	v := &Vendor{}
	if err := config.DecodeModule("t.json", "v", []byte(cfg), v.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	if err := v.Init(context.Background(), &module.Env{Managers: []module.Module{m}}); err != nil {
		t.Fatal(err)
	}
	return v
}

func call(t *testing.T, v *Vendor, method, route, rawQuery string, params map[string]string) (*endpoint.Response, error) {
	t.Helper()
	for _, e := range v.Endpoints() {
		if e.Method == method && e.Route == route {
			q, _ := url.ParseQuery(rawQuery)
			return e.Handler(context.Background(), &endpoint.Request{Method: method, Route: route, Params: params, Query: q, Metadata: endpoint.Metadata{}})
		}
	}
	t.Fatalf("no endpoint %s %s", method, route)
	return nil, nil
}

func TestLocalAPI(t *testing.T) {
	v := newVendor(t, `{}`)
	resp, err := call(t, v, "GET", "/agent/v1/status", "", nil)
	if err != nil || resp.Status != 200 {
		t.Fatalf("status: %v %v", resp, err)
	}
	var st map[string]any
	_ = json.Unmarshal(resp.Body, &st)
	if st["wfm"] != "https://127.0.0.1:1/api/v1" || st["onboarded"] != false || st["acceptedVersion"] != float64(0) || st["statusQueueDepth"] != float64(0) {
		t.Fatalf("status body %s", resp.Body)
	}
	resp, err = call(t, v, "GET", "/agent/v1/deployments", "", nil)
	if err != nil || string(resp.Body) != `{"items":[]}` {
		t.Fatalf("deployments: %s %v", resp.Body, err)
	}
	if _, err := call(t, v, "GET", "/agent/v1/deployments/{deploymentId}", "", map[string]string{"deploymentId": "nope"}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown deployment: %v", err)
	}
	resp, err = call(t, v, "GET", "/agent/v1/errors", "limit=5", nil)
	if err != nil || string(resp.Body) != `{"items":[]}` {
		t.Fatalf("errors: %s %v", resp.Body, err)
	}
	for _, bad := range []string{"limit=0", "limit=x", "limit=100000"} {
		if _, err := call(t, v, "GET", "/agent/v1/errors", bad, nil); !fault.Is(err, fault.BadRequest) {
			t.Fatalf("%s: %v", bad, err)
		}
	}
	if resp, err := call(t, v, "POST", "/agent/v1/sync", "", nil); err != nil || resp.Status != 202 {
		t.Fatalf("sync: %v %v", resp, err)
	}
}

func TestPrefixAndManagerAreChecked(t *testing.T) {
	v := newVendor(t, `{"prefix": "/local"}`)
	if eps := v.Endpoints(); len(eps) != 5 || !strings.HasPrefix(eps[0].Route, "/local/") {
		t.Fatalf("routes %+v", eps)
	}
	var c Config
	if err := config.DecodeModule("t.json", "v", []byte(`{"prefix": "agent/"}`), &c); err == nil || !strings.Contains(err.Error(), "v.prefix") {
		t.Fatalf("bad prefix: %v", err)
	}
	if err := (&Vendor{}).Init(context.Background(), &module.Env{}); err == nil || !strings.Contains(err.Error(), "managers.sync") {
		t.Fatalf("no manager: %v", err)
	}
}

func TestRegistered(t *testing.T) {
	for _, id := range []string{ID, sync.ID} {
		if _, err := module.Lookup(id); err != nil {
			t.Fatal(err)
		}
	}
}
