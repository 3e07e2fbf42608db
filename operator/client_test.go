package operator_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/internal/wfmtest"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/operator"
)

// deploymentYAML is a P1 ApplicationDeployment with id.
func deploymentYAML(id string) []byte {
	return []byte("apiVersion: " + document.DeploymentAPIVersion + "\nkind: ApplicationDeployment\nmetadata:\n  annotations:\n    id: " + id + "\n" +
		"    applicationId: com-example-app\n  name: app\n  namespace: margo\nspec:\n  deploymentProfile:\n    type: compose\n    components:\n" +
		"      - name: web\n        properties:\n          packageLocation: https://example.com/app.tar.gz\n")
}

// The client's calls about clients, devices and per-client deployments,
// against a real WFM.
func TestClientsDevicesAndClientDeployments(t *testing.T) {
	ctx := context.Background()
	w := wfmtest.StartWFM(t, t.TempDir())
	c, err := operator.New(operator.Options{Server: w.OperatorURL() + "/", Token: wfmtest.Token, HTTPClient: w.HTTPClient(), UserAgent: "test"})
	must(t, err)
	if c.Server() != w.OperatorURL() {
		t.Fatalf("server %q", c.Server())
	}
	d := w.Onboarded(t)
	must(t, d.ReportCapabilities(ctx, "POST", "gw", wfmtest.Capabilities("gw")))
	must(t, d.ReportCapabilities(ctx, "POST", "gw/child", wfmtest.Capabilities("gw/child")))

	var raw json.RawMessage
	clients, err := c.Clients(ctx, operator.JSON(&raw))
	must(t, err)
	if len(clients) != 1 || clients[0].ID != d.ClientID() || clients[0].State != fleet.ClientApproved || !strings.HasPrefix(string(raw), `{"items":[{"clientId":`) {
		t.Fatalf("clients %+v, JSON %s", clients, raw)
	}
	devs, err := c.Devices(ctx, operator.DeviceFilter{ClientID: d.ClientID()})
	must(t, err)
	if len(devs) != 2 {
		t.Fatalf("devices %+v", devs)
	}
	child := fleet.DeviceRef{ClientID: d.ClientID(), DeviceID: "gw/child"}
	dev, err := c.Device(ctx, child)
	must(t, err)
	hist, err := c.DeviceHistory(ctx, child)
	if err != nil || dev.DeviceID != "gw/child" || len(hist) != 1 {
		t.Fatalf("device %+v history %+v: %v", dev, hist, err)
	}

	const id = "0f9a4c52-7d1e-4b8a-9c3f-2e6d8b1a5c70"
	dep, created, err := c.ApplyDeployment(ctx, d.ClientID(), deploymentYAML(id))
	if err != nil || !created || dep.DeploymentID != id {
		t.Fatalf("apply: %+v created %v: %v", dep, created, err)
	}
	if _, created, err = c.ApplyDeployment(ctx, d.ClientID(), deploymentYAML(id)); err != nil || created {
		t.Fatalf("apply again: created %v: %v", created, err)
	}
	deps, err := c.ClientDeployments(ctx, d.ClientID())
	must(t, err)
	one, err := c.ClientDeployment(ctx, d.ClientID(), id)
	if err != nil || len(deps) != 1 || one.Digest != deps[0].Digest {
		t.Fatalf("deployments %+v, one %+v: %v", deps, one, err)
	}
	must(t, c.RemoveClientDeployment(ctx, d.ClientID(), id))
	if one, err = c.ClientDeployment(ctx, d.ClientID(), id); err != nil || !one.Deleted {
		t.Fatalf("after remove %+v: %v", one, err)
	}

	cl, err := c.SetClientState(ctx, d.ClientID(), fleet.ClientRevoked)
	if err != nil || cl.State != fleet.ClientRevoked {
		t.Fatalf("revoke: %+v %v", cl, err)
	}
	if _, err = c.SetClientState(ctx, d.ClientID(), fleet.ClientPending); err == nil {
		t.Fatal("a client cannot be set pending")
	}
	must(t, c.DeleteClient(ctx, d.ClientID(), true))
	_, err = c.ClientDeployment(ctx, d.ClientID(), id)
	if e := wantStatus(t, err, 404); e.Method != "GET" || e.Path != "/clients/"+d.ClientID()+"/deployments/"+id || operator.StatusOf(err) != 404 {
		t.Fatalf("error %+v", e)
	}

	if _, err := operator.New(operator.Options{Server: "127.0.0.1:8443"}); err == nil {
		t.Fatal("a server URL without a scheme was accepted")
	}
}
