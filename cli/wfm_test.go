package cli

// The operator commands against a real WFM in the test process.

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/internal/testserver"
	"github.com/cadenza-edge/cadenza/internal/wfmtest"
)

// helloPackage is a Margo application package description.
const helloPackage = `apiVersion: v1
id: hello
metadata:
  name: Hello
  version: "1.0.0"
  catalog:
    application: {tagline: Greets}
    organization: [{name: O}]
deploymentProfiles:
  - {type: compose, id: hello-compose, components: [{name: web, properties: {repository: oci://registry.example/compose/web, revision: 1.0.0}}]}
parameters:
  greeting:
    value: hello
    targets: [{pointer: greeting, components: [web]}]
configuration:
  sections:
    - name: General
      settings:
        - {parameter: greeting, name: Greeting, schema: text}
  schema:
    - {name: text, dataType: string, maxLength: 45}
`

// tableRow returns the whitespace-separated cells of the first line of a
// table whose first cell is first (nil when none).
func tableRow(out, first string) []string {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == first {
			return f
		}
	}
	return nil
}

// realWFM starts a WFM (wfmtest.Doc: a catalog and a rollout manager)
// with a git registry holding helloPackage, and returns the environment
// that points the commands at it.
func realWFM(t *testing.T) (*wfmtest.WFM, *testserver.GitRepo, map[string]string) {
	t.Helper()
	w := wfmtest.StartWFM(t, t.TempDir())
	repo := testserver.NewGitRepo(t, t.TempDir(), "apps.git")
	repo.Commit("hello 1.0.0", map[string]string{"apps/hello/margo.yaml": helloPackage, "apps/broken/margo.yaml": "apiVersion: v1\nid: Broken!\n"})
	return w, repo, map[string]string{"CADENZA_SERVER": w.OperatorURL(), "CADENZA_TOKEN": wfmtest.Token, "CADENZA_CACERT": w.CAFile}
}

// runner runs operator commands in env, failing the test on another exit
// code than the one wanted; it returns stdout and stderr.
func runner(env map[string]string) func(t *testing.T, wantCode int, args ...string) (string, string) {
	return func(t *testing.T, wantCode int, args ...string) (string, string) {
		t.Helper()
		code, out, errOut := runCtl(nil, env, args...)
		if code != wantCode {
			t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, wantCode, out, errOut)
		}
		return out, errOut
	}
}

// TestAgainstARealWFM runs every operator command against a real WFM.
func TestAgainstARealWFM(t *testing.T) {
	w, repo, env := realWFM(t)
	run := runner(env)

	out, _ := run(t, 0, "registry", "add", "apps", "--url", repo.URL(), "--path", "apps")
	if out != "registry apps added; fetch it now with: cadenza registry sync apps\n" {
		t.Fatalf("registry add: %q", out)
	}
	out, _ = run(t, 0, "registry", "list")
	if row := tableRow(out, "apps"); !reflect.DeepEqual(row, []string{"apps", repo.URL(), "<none>", "apps", "Pending", "<none>", "0", "0", "<none>"}) {
		t.Fatalf("registry list before a sync:\n%s", out)
	}
	_, errOut := run(t, 1, "registry", "add", "apps", "--url", repo.URL())
	if !strings.HasPrefix(errOut, "cadenza registry add: Conflict (409): ") || !strings.Contains(errOut, "\nhint: pick another name") {
		t.Fatalf("registry add twice: %s", errOut)
	}

	out, _ = run(t, 0, "registry", "sync", "apps")
	if row := tableRow(out, "hello"); !reflect.DeepEqual(row, []string{"hello", "hello", "1.0.0", "ok"}) ||
		!strings.Contains(out, "Status:     Synced\n") || !reflect.DeepEqual(tableRow(out, "broken"), []string{"broken", "<none>", "<none>", "Invalid(3)"}) ||
		!strings.HasSuffix(out, "\n\napps/broken/margo.yaml: deploymentProfiles: is required\n"+
			"apps/broken/margo.yaml: id: must match ^[-a-z0-9]{1,200}$ (lowercase letters, digits and '-', at most 200)\n"+
			"apps/broken/margo.yaml: metadata: is required\n") {
		t.Fatalf("registry sync:\n%s", out)
	}
	out, _ = run(t, 0, "app", "list")
	if row := tableRow(out, "hello"); !reflect.DeepEqual(row, []string{"hello", "Hello", "1.0.0", "1.0.0", "Greets"}) {
		t.Fatalf("app list:\n%s", out)
	}
	out, _ = run(t, 0, "app", "show", "hello")
	if !reflect.DeepEqual(tableRow(out, "hello-compose"), []string{"hello-compose", "compose", "web", "<none>"}) ||
		!reflect.DeepEqual(tableRow(out, "greeting"), []string{"greeting", `"hello"`, "greeting", "(web)"}) {
		t.Fatalf("app show:\n%s", out)
	}
	out, _ = run(t, 0, "app", "show", "hello", "--version", "1.0.0", "-o", "json")
	var shown struct {
		Application struct{ ID string }
		Version     struct{ Version, Registry string }
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil || shown.Application.ID != "hello" || shown.Version.Version != "1.0.0" || shown.Version.Registry != "apps" {
		t.Fatalf("app show -o json: %v\n%s", err, out)
	}
	_, errOut = run(t, 1, "app", "show", "hello", "--version", "9.9.9")
	if !strings.HasPrefix(errOut, "cadenza app show: Not Found (404): ") || !strings.HasSuffix(errOut, "\nhint: application hello has the versions 1.0.0\n") {
		t.Fatalf("app show of an unknown version: %s", errOut)
	}

	// A device reports its capabilities; the operator finds it.
	d := w.Onboarded(t)
	if err := d.ReportCapabilities(t.Context(), http.MethodPost, "edge-1", wfmtest.Capabilities("edge-1")); err != nil {
		t.Fatal(err)
	}
	out, _ = run(t, 0, "device", "list")
	if row := tableRow(out, d.ClientID()); len(row) != 5 || row[1] != "edge-1" || row[2] != "<none>" {
		t.Fatalf("device list:\n%s", out)
	}
	out, _ = run(t, 0, "device", "list", "--client", d.ClientID(), "-o", "json")
	var listed struct{ Items []fleet.Device }
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed.Items) != 1 || listed.Items[0].DeviceID != "edge-1" {
		t.Fatalf("device list -o json: %v\n%s", err, out)
	}
	for _, ref := range []string{d.ClientID(), d.ClientID() + "/edge-1"} {
		out, _ = run(t, 0, "device", "show", ref)
		if !strings.HasPrefix(out, "Client:    "+d.ClientID()+"\nDevice:    edge-1\nModel:     Northstar N1\nSerial:    S1\n") ||
			!strings.Contains(out, "\nLabels: <none>\n\nCapabilities:\n  apiVersion: device.margo.org/v1alpha1\n") {
			t.Fatalf("device show %s:\n%s", ref, out)
		}
	}
	_, errOut = run(t, 1, "device", "show", d.ClientID()+"/edge-2")
	if !strings.HasPrefix(errOut, "cadenza device show: Not Found (404): ") || !strings.Contains(errOut, "hint: list the devices of client "+d.ClientID()) {
		t.Fatalf("device show of an unknown device: %s", errOut)
	}

	// Labels, eligibility, and a deployment by label: created, listed,
	// shown, updated, deleted.
	dev := d.ClientID() + "/edge-1"
	out, _ = run(t, 0, "device", "label", dev, "site=plant-1")
	if out != "device "+dev+" labeled\nLABEL  VALUE    SOURCE\nsite   plant-1  operator\n" {
		t.Fatalf("device label:\n%s", out)
	}
	out, _ = run(t, 0, "device", "list", "-l", "site=plant-1")
	if row := tableRow(out, d.ClientID()); len(row) != 5 || row[2] != "site=plant-1" {
		t.Fatalf("device list -l site=plant-1:\n%s", out)
	}
	if out, errOut = run(t, 0, "device", "list", "-l", "site=plant-2"); out != "" || errOut != "No devices found.\n" {
		t.Fatalf("device list -l site=plant-2: %q %q", out, errOut)
	}
	out, _ = run(t, 0, "eligibility", "hello", "--device", d.ClientID())
	if !strings.HasPrefix(out, "Application:  hello 1.0.0\nDevice:       "+dev+"\nEligible:     1 of 1 profiles\n") {
		t.Fatalf("eligibility:\n%s", out)
	}
	_, errOut = run(t, 1, "deploy", "hello", "-l", "site=plant-1", "--set", "greeting=[1, {}]", "--set", "bogus=1")
	if !strings.HasPrefix(errOut, "cadenza deploy: Unprocessable Entity (422): ") || !strings.Contains(errOut, "\n  parameters.bogus: ") ||
		!strings.Contains(errOut, "\n  parameters.greeting: ") || !strings.HasSuffix(errOut, "\nhint: see the application's versions, profiles and parameters with cadenza app show hello\n") {
		t.Fatalf("deploy with bad values: %s", errOut)
	}
	out, _ = run(t, 0, "deploy", "hello", "--name", "hello-plant1", "-l", "site=plant-1", "--set", "greeting=hi")
	if !strings.HasPrefix(out, "deployment hello-plant1 created\n\nID:           hello-plant1\nApplication:  hello\nVersion:      1.0.0\n") ||
		!strings.Contains(out, "\nParameters:   greeting=\"hi\"\n") || !strings.Contains(out, "\nSelector:     site=plant-1\n") ||
		!strings.Contains(out, "\nSummary:      1 device: 1 assigned, 0 ineligible; pending=1\n") {
		t.Fatalf("deploy:\n%s", out)
	}
	out, _ = run(t, 0, "deployment", "list", "--app", "hello")
	if row := tableRow(out, "hello-plant1"); !reflect.DeepEqual(row[:9], []string{"hello-plant1", "hello", "1.0.0", "<none>", "site=plant-1", "1", "1", "0", "Active"}) {
		t.Fatalf("deployment list:\n%s", out)
	}
	out, _ = run(t, 0, "deployment", "show", "hello-plant1")
	if row := tableRow(out, d.ClientID()); len(row) != 7 || row[1] != "edge-1" || row[2] != "yes" || row[3] != "hello-compose" || row[4] != "pending" || row[6] != "<none>" {
		t.Fatalf("deployment show:\n%s", out)
	}
	if out, errOut = run(t, 0, "deployment", "history", "hello-plant1", d.ClientID()); out != "" || !strings.HasPrefix(errOut, "No status reports found.\n") {
		t.Fatalf("deployment history before any report: %q %q", out, errOut)
	}
	var showJSON struct {
		Devices []fleet.Placement `json:"devices"`
	}
	out, _ = run(t, 0, "deployment", "show", "hello-plant1", "-o", "json")
	if err := json.Unmarshal([]byte(out), &showJSON); err != nil || len(showJSON.Devices) != 1 {
		t.Fatalf("deployment show -o json: %v\n%s", err, out)
	}
	depID := showJSON.Devices[0].DeploymentID
	if err := d.ReportStatus(t.Context(), depID, wfmtest.Status(depID, "installed", "web")); err != nil {
		t.Fatal(err)
	}
	out, _ = run(t, 0, "deployment", "history", "hello-plant1", dev)
	if !strings.HasPrefix(out, "RECEIVED ") || !strings.Contains(out, "  installed  web=installed  <none>\n") {
		t.Fatalf("deployment history:\n%s", out)
	}
	out, _ = run(t, 0, "deployment", "update", "hello-plant1", "--set", "greeting=hey", "-o", "json")
	var updated fleet.Rollout
	if err := json.Unmarshal([]byte(out), &updated); err != nil || updated.Generation != 2 || !reflect.DeepEqual(updated.Parameters, map[string]any{"greeting": "hey"}) {
		t.Fatalf("deployment update: %v\n%s", err, out)
	}
	out, _ = run(t, 0, "deployment", "delete", "hello-plant1")
	if out != "deployment hello-plant1 is being deleted: its devices uninstall it (follow with cadenza deployment show hello-plant1)\n" {
		t.Fatalf("deployment delete: %q", out)
	}
	if out, _ = run(t, 0, "deployment", "delete", "hello-plant1", "--forget"); out != "deployment hello-plant1 forgotten\n" {
		t.Fatalf("deployment delete --forget: %q", out)
	}
	if out, errOut = run(t, 0, "deployment", "list"); out != "" || !strings.HasPrefix(errOut, "No deployments found.\n") {
		t.Fatalf("deployment list after delete: %q %q", out, errOut)
	}

	_, errOut = run(t, 1, "app", "list", "--token", "wrong")
	if errOut != "cadenza app list: Unauthorized (401): the bearer token is not valid\n"+
		"hint: pass a token the WFM accepts with --token or set CADENZA_TOKEN (samples/wfm.json accepts $CADENZA_TOKEN of the WFM, else sandbox-token)\n" {
		t.Fatalf("a wrong token: %s", errOut)
	}

	out, _ = run(t, 0, "registry", "remove", "apps")
	if out != "registry apps removed\n" {
		t.Fatalf("registry remove: %q", out)
	}
	if out, errOut = run(t, 0, "app", "list"); out != "" || !strings.HasPrefix(errOut, "No applications found.\n") {
		t.Fatalf("app list after the registry is removed: %q %q", out, errOut)
	}
	_, errOut = run(t, 1, "registry", "sync", "apps")
	if !strings.HasPrefix(errOut, "cadenza registry sync: Not Found (404): ") || !strings.HasSuffix(errOut, "\nhint: no registry apps: list them with `cadenza registry list`\n") {
		t.Fatalf("sync of a removed registry: %s", errOut)
	}
}

// Deploying to a client or a device the WFM does not know fails (exit 1)
// with the operator API's 422 naming every one of them, and creates
// nothing; so does retargeting a deployment to one.
func TestDeployToUnknownClientsOrDevicesFails(t *testing.T) {
	w, repo, env := realWFM(t)
	run := runner(env)
	run(t, 0, "registry", "add", "apps", "--url", repo.URL(), "--path", "apps")
	run(t, 0, "registry", "sync", "apps")
	d := w.Onboarded(t)
	if err := d.ReportCapabilities(t.Context(), http.MethodPost, "edge-1", wfmtest.Capabilities("edge-1")); err != nil {
		t.Fatal(err)
	}
	known, ghost := d.ClientID()+"/edge-1", d.ClientID()+"/ghost"

	out, errOut := run(t, 1, "deploy", "hello", "--name", "hello-1", "--device", known, "--device", ghost, "--device", "nope", "--device", "gone/d1")
	want := "cadenza deploy: Unprocessable Entity (422): the target names what the WFM does not know: device " + ghost + ", client nope, client gone\n"
	if out != "" || !strings.HasPrefix(errOut, want) || !strings.Contains(errOut, "\n  target.devices[1].deviceId: ") ||
		!strings.Contains(errOut, "\n  target.devices[2].clientId: ") || !strings.HasSuffix(errOut, "\nhint: "+knownDevicesHint+"\n") {
		t.Fatalf("deploy to unknown devices:\nstdout %q\nstderr %q\nwant stderr starting %q", out, errOut, want)
	}
	if _, errOut = run(t, 1, "deployment", "show", "hello-1"); !strings.Contains(errOut, "Not Found (404)") {
		t.Fatalf("a refused deployment exists: %s", errOut)
	}

	run(t, 0, "deploy", "hello", "--name", "hello-1", "--device", known)
	_, errOut = run(t, 1, "deployment", "update", "hello-1", "--device", known, "--device", "nope/d")
	if !strings.HasPrefix(errOut, "cadenza deployment update: Unprocessable Entity (422): the target names what the WFM does not know: client nope\n") {
		t.Fatalf("retarget to an unknown device: %s", errOut)
	}
	if out, _ = run(t, 0, "deployment", "show", "hello-1"); !strings.Contains(out, "\nGeneration:   1\n") || !strings.Contains(out, "\nDevices:      "+known+"\n") {
		t.Fatalf("a refused update changed the deployment:\n%s", out)
	}
}
