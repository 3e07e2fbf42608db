package fleet

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/fleet/fleettest"
)

// directVendor is an initialised vendor whose handlers are called directly.
func directVendor(t *testing.T) (*Vendor, *fleettest.Onboarding) {
	t.Helper()
	v := &Vendor{}
	if err := config.DecodeModule("t.json", "v", []byte(`{"tokens":["`+token+`"]}`), v.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	ob := &fleettest.Onboarding{}
	ob.Put(fleet.Client{ID: "c1", State: fleet.ClientPending})
	env := &module.Env{ID: ID, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Managers: []module.Module{ob, &fleettest.Capabilities{}, &fleettest.Deployments{}}}
	if err := v.Init(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	return v, ob
}

// handler returns the (authenticated) handler of the endpoint named name.
func handler(t *testing.T, v *Vendor, name string) endpoint.Handler {
	t.Helper()
	for _, e := range v.Endpoints() {
		if e.Name == name {
			return e.Handler
		}
	}
	t.Fatalf("no endpoint %s", name)
	return nil
}

func TestHandlerChainDirectlyChecksTokenThenServes(t *testing.T) {
	v, ob := directVendor(t)
	h := handler(t, v, "fleet.clients.approve")
	req := &endpoint.Request{Method: "POST", Path: "/fleet/v1/clients/c1/approve", Params: map[string]string{"clientId": "c1"}, Metadata: endpoint.Metadata{}}
	resp, err := h(context.Background(), req)
	if err != nil || resp.Status != 401 || resp.Metadata.Get("WWW-Authenticate") == "" || ob.StateOf("c1") != fleet.ClientPending {
		t.Fatalf("without token: %+v %v", resp, err)
	}
	var p struct {
		Type     string `json:"type"`
		Status   int    `json:"status"`
		Instance string `json:"instance"`
	}
	if json.Unmarshal(resp.Body, &p) != nil || p.Status != 401 || p.Type != "about:blank" || p.Instance != req.Path {
		t.Fatalf("problem %s", resp.Body)
	}
	req.Metadata.Set("Authorization", "Bearer "+token)
	resp, err = h(context.Background(), req)
	if err != nil || resp.Status != 200 || ob.StateOf("c1") != fleet.ClientApproved {
		t.Fatalf("with token: %+v %v", resp, err)
	}
}
