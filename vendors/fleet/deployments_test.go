package fleet

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/fleet"
)

const depID = "0f9a4c52-7d1e-4b8a-9c3f-2e6d8b1a5c70"

func TestApplyDeploymentIs201WhenCreatedAnd200WhenReplaced(t *testing.T) {
	a := newDefaultAPI(t)
	a.addClient("c1", fleet.ClientApproved)
	var d fleet.Deployment
	r := call(t, "PUT", a.url+"/clients/c1/deployments", deploymentYAML(depID), "Content-Type", "application/yaml")
	want(t, r, 201, &d)
	if d.DeploymentID != depID || r.Header.Get("Location") != "/fleet/v1/clients/c1/deployments/"+depID {
		t.Fatalf("%+v Location %q", d, r.Header.Get("Location"))
	}
	want(t, call(t, "PUT", a.url+"/clients/c1/deployments", deploymentYAML(depID), "Content-Type", "text/yaml"), 200, &d)
	if d.DeploymentID != depID {
		t.Fatalf("%+v", d)
	}
}

func TestApplyDeploymentWithoutIdIs201WithAssignedId(t *testing.T) {
	a := newDefaultAPI(t)
	a.addClient("c1", fleet.ClientApproved)
	var d fleet.Deployment
	r := call(t, "PUT", a.url+"/clients/c1/deployments", deploymentYAML(""), "Content-Type", "<delete>")
	want(t, r, 201, &d)
	if d.DeploymentID == "" || r.Header.Get("Location") != "/fleet/v1/clients/c1/deployments/"+d.DeploymentID {
		t.Fatalf("%+v Location %q", d, r.Header.Get("Location"))
	}
}

func TestApplyAfterRemoveIs201(t *testing.T) {
	a := newDefaultAPI(t)
	a.addClient("c1", fleet.ClientApproved)
	want(t, call(t, "PUT", a.url+"/clients/c1/deployments", deploymentYAML(depID)), 201, nil)
	want(t, call(t, "DELETE", a.url+"/clients/c1/deployments/"+depID, nil), 202, nil)
	want(t, call(t, "PUT", a.url+"/clients/c1/deployments", deploymentYAML(depID)), 201, nil)
}

func TestApplyDeploymentNonYAMLContentTypeIs415(t *testing.T) {
	a := newDefaultAPI(t)
	a.addClient("c1", fleet.ClientApproved)
	for _, ct := range []string{"application/json", "application/x-www-form-urlencoded", "text/plain"} {
		wantProblem(t, call(t, "PUT", a.url+"/clients/c1/deployments", deploymentYAML(depID), "Content-Type", ct), 415)
	}
}

func TestApplyDeploymentInvalidDocumentIsTheManagersError(t *testing.T) {
	a := newDefaultAPI(t)
	a.addClient("c1", fleet.ClientApproved)
	wantProblem(t, call(t, "PUT", a.url+"/clients/c1/deployments", []byte("a: [unclosed")), 400)
	p := wantProblem(t, call(t, "PUT", a.url+"/clients/c1/deployments", []byte("apiVersion: application.margo.org/v1alpha1\nkind: ApplicationDeployment\nmetadata:\n  annotations:\n    id: "+depID+"\n")), 422)
	if len(p.Errors) == 0 {
		t.Fatalf("%+v", p)
	}
}

func TestApplyDeploymentForUnknownClientIs404(t *testing.T) {
	a := newDefaultAPI(t)
	wantProblem(t, call(t, "PUT", a.url+"/clients/nope/deployments", deploymentYAML(depID)), 404)
	if ds, _, _ := a.deps.List(context.Background(), "", fleet.Page{}); len(ds) != 0 {
		t.Fatal("applied")
	}
}

// A document whose metadata.deviceId names a device the client has not
// reported is refused, naming it; nothing is stored.
func TestApplyDeploymentForUnknownDeviceIs422NamingIt(t *testing.T) {
	a := newDefaultAPI(t)
	a.addClient("c1", fleet.ClientApproved)
	a.addDevice("c1", "gw")
	withDevice := func(dev string) []byte {
		return bytes.Replace(deploymentYAML(depID), []byte("  name: app\n"), []byte("  name: app\n  deviceId: "+dev+"\n"), 1)
	}
	p := wantProblem(t, call(t, "PUT", a.url+"/clients/c1/deployments", withDevice("ghost")), 422)
	if len(p.Errors) != 1 || p.Errors[0].Field != "metadata.deviceId" || !strings.Contains(p.Errors[0].Message, "c1/ghost") {
		t.Fatalf("%+v", p)
	}
	if ds, _, _ := a.deps.List(context.Background(), "c1", fleet.Page{}); len(ds) != 0 {
		t.Fatal("applied")
	}
	want(t, call(t, "PUT", a.url+"/clients/c1/deployments", withDevice("gw")), 201, nil)
	want(t, call(t, "PUT", a.url+"/clients/c1/deployments", withDevice("gw/*")), 200, nil)
}

func TestListAndGetDeployments(t *testing.T) {
	a := newDefaultAPI(t)
	a.addClient("c1", fleet.ClientApproved)
	want(t, call(t, "PUT", a.url+"/clients/c1/deployments", deploymentYAML(depID)), 201, nil)
	var l listOf[fleet.Deployment]
	want(t, call(t, "GET", a.url+"/clients/c1/deployments", nil), 200, &l)
	if len(l.Items) != 1 || l.Items[0].DeploymentID != depID {
		t.Fatalf("%+v", l)
	}
	var d fleet.Deployment
	want(t, call(t, "GET", a.url+"/clients/c1/deployments/"+depID, nil), 200, &d)
	if d.DeploymentID != depID || len(d.Components) != 1 || d.Components[0] != "web" {
		t.Fatalf("%+v", d)
	}
	wantProblem(t, call(t, "GET", a.url+"/clients/c1/deployments/nope", nil), 404)
}

func TestRemoveDeploymentIs202(t *testing.T) {
	a := newDefaultAPI(t)
	a.addClient("c1", fleet.ClientApproved)
	want(t, call(t, "PUT", a.url+"/clients/c1/deployments", deploymentYAML(depID)), 201, nil)
	r := call(t, "DELETE", a.url+"/clients/c1/deployments/"+depID, nil)
	want(t, r, 202, nil)
	if len(r.body) != 0 || r.Header.Get("Location") != "/fleet/v1/clients/c1/deployments/"+depID+"/status" {
		t.Fatalf("body %q Location %q", r.body, r.Header.Get("Location"))
	}
	if d, _ := a.deps.Get("c1", depID); !d.Deleted {
		t.Fatal("not removed")
	}
	wantProblem(t, call(t, "DELETE", a.url+"/clients/c1/deployments/"+depID, nil), 404)
}

func TestDeploymentStatusHistory(t *testing.T) {
	a := newDefaultAPI(t)
	a.addClient("c1", fleet.ClientApproved)
	want(t, call(t, "PUT", a.url+"/clients/c1/deployments", deploymentYAML(depID)), 201, nil)
	a.deps.SetStatuses("c1", depID, fleet.StatusReport{State: "installed"}, fleet.StatusReport{State: "installing"}, fleet.StatusReport{State: "pending"})
	var l listOf[fleet.StatusReport]
	want(t, call(t, "GET", a.url+"/clients/c1/deployments/"+depID+"/status?limit=2", nil), 200, &l)
	if len(l.Items) != 2 || l.Items[0].State != "installed" {
		t.Fatalf("%+v", l)
	}
	wantProblem(t, call(t, "GET", a.url+"/clients/c1/deployments/nope/status", nil), 404)
}
