package cli

import (
	"reflect"
	"testing"
)

func TestDeployCommands(t *testing.T) {
	echoDescribe := "" +
		"ID:           echo-plant1\n" +
		"Application:  com-example-echo\n" +
		"Version:      1.0.0\n" +
		"Profile:      <the first that fits each device>\n" +
		"Namespace:    margo\n" +
		"Parameters:   greeting=\"hello\",port=8080\n" +
		"Devices:      c1/d1, c2/*\n" +
		"Selector:     site=plant-1,tier in (a,b)\n" +
		"Status:       Active\n" +
		"Generation:   2\n" +
		"Created:      2025-06-01T10:00:00Z (2h ago)\n" +
		"Updated:      2025-06-01T11:30:00Z (30m ago)\n" +
		"Summary:      3 devices: 2 assigned, 1 ineligible; installed=1,pending=1\n"
	deployUsage := "usage: cadenza deploy " + deploySynopsis + " (cadenza deploy -h for more)\n"
	updateUsage := "usage: cadenza deployment update " + deploymentUpdateSynopsis + " (cadenza deployment update -h for more)\n"
	runCtlCases(t, []ctlCase{{
		name: "deploy with devices, a selector and values",
		args: []string{"deploy", "com-example-echo", "--version", "1.0.0", "--profile", "echo-helm", "--name", "echo-plant1", "--namespace", "margo",
			"--device", "c1/d1", "--device", "c2", "-l", "site=plant-1,tier in (a,b)", "-l", "!legacy", "-l", "zone!=z9",
			"--values", "@values.yaml", "--set", "greeting=hello", "--set", "port=8080", "--set-string", "zip=01234", "--set", "ratio=0.5",
			"--set", "debug=true", "--set", "tag='8080'", "--set", "list=[a, 2]", "--set", "dropped=null", "--set", "plain=01234"},
		files:  map[string]string{"values.yaml": "greeting: from-file\ndropped: 1\nlimits: [1, 2]\n"},
		routes: map[string]fakeReply{"POST /fleet/v1/deployments": {status: 201, body: rollEcho}},
		reqs: []string{`POST /fleet/v1/deployments application/json {"id":"echo-plant1","application":"com-example-echo","version":"1.0.0","profile":"echo-helm","namespace":"margo",` +
			`"parameters":{"debug":true,"greeting":"hello","limits":[1,2],"list":["a",2],"plain":"01234","port":8080,"ratio":0.5,"tag":"8080","zip":"01234"},` +
			`"target":{"devices":[{"clientId":"c1","deviceId":"d1"},{"clientId":"c2"}],"selector":{"matchLabels":{"site":"plant-1"},` +
			`"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]},{"key":"legacy","operator":"DoesNotExist"},{"key":"zone","operator":"NotIn","values":["z9"]}]}}}`},
		stdout: "deployment echo-plant1 created\n\n" + echoDescribe + "\nFollow it with: cadenza deployment show echo-plant1\n",
	}, {
		name:   "deploy to a selector only, as JSON",
		args:   []string{"deploy", "com-example-echo", "-l", "site", "-o", "json"},
		routes: map[string]fakeReply{"POST /fleet/v1/deployments": {status: 201, body: `{"id":"com-example-echo-x1y2z","summary":{}}`}},
		reqs:   []string{`POST /fleet/v1/deployments application/json {"application":"com-example-echo","target":{"selector":{"matchExpressions":[{"key":"site","operator":"Exists"}]}}}`},
		stdout: "{\n  \"id\": \"com-example-echo-x1y2z\",\n  \"summary\": {}\n}\n",
	}, {
		name: "deploy to devices by capability",
		args: []string{"deploy", "com-example-echo", "--capability", "/cpus/0/cores>4", "--capability", "/cpus/0/architecture=amd64,arm64",
			"--capability", "!/peripherals", "--capability", "/memory", "--capability", "/roles!=Gateway", "--capability", "/cpus/0/cores<64", "-o", "json"},
		routes: map[string]fakeReply{"POST /fleet/v1/deployments": {status: 201, body: `{"id":"x"}`}},
		reqs: []string{`POST /fleet/v1/deployments application/json {"application":"com-example-echo","target":{"capabilities":{"matchExpressions":[` +
			`{"key":"/cpus/0/cores","operator":"Gt","values":[4]},{"key":"/cpus/0/architecture","operator":"In","values":["amd64","arm64"]},` +
			`{"key":"/peripherals","operator":"DoesNotExist"},{"key":"/memory","operator":"Exists"},{"key":"/roles","operator":"NotIn","values":["Gateway"]},` +
			`{"key":"/cpus/0/cores","operator":"Lt","values":[64]}]}}}`},
		stdout: "{\n  \"id\": \"x\"\n}\n",
	}, {
		name: "deploy with a bad --capability", args: []string{"deploy", "a", "--capability", "cpus>4"}, code: 2,
		stderr: "cadenza deploy: --capability \"cpus>4\": the key is a JSON pointer into the capability properties, starting with / (like /cpus/0/cores>4)\n" + deployUsage,
	}, {
		name: "deploy refused with violations",
		args: []string{"deploy", "com-example-echo", "--device", "c1", "--set", "port=x"},
		routes: map[string]fakeReply{"POST /fleet/v1/deployments": problemReply(422, "Unprocessable Entity", "invalid deployment",
			"parameters.port: must be an integer", "target.devices[0]: client c1 is not approved")},
		reqs: []string{`POST /fleet/v1/deployments application/json {"application":"com-example-echo","parameters":{"port":"x"},"target":{"devices":[{"clientId":"c1"}]}}`},
		code: 1,
		stderr: "cadenza deploy: Unprocessable Entity (422): invalid deployment\n  parameters.port: must be an integer\n  target.devices[0]: client c1 is not approved\n" +
			"hint: see the application's versions, profiles and parameters with cadenza app show com-example-echo\n",
	}, {
		name: "deploy without a target", args: []string{"deploy", "com-example-echo"}, code: 2,
		stderr: "cadenza deploy: name the target devices with --device CLIENT[/DEVICE], or select them with -l k=v or --capability /POINTER>N\n" + deployUsage,
	}, {
		name: "deploy with a bad --set", args: []string{"deploy", "a", "--device", "c1", "--set", "novalue"}, code: 2,
		stderr: "cadenza deploy: --set \"novalue\": expected NAME=VALUE\n" + deployUsage,
	}, {
		name: "deploy with a bad selector", args: []string{"deploy", "a", "-l", "tier in a"}, code: 2,
		stderr: "cadenza deploy: -l \"tier in a\": \"tier in a\": expected tier in (a,b)\n" + deployUsage,
	}, {
		name: "deploy with a values file that is no mapping", args: []string{"deploy", "a", "--device", "c1", "--values", "@v.yaml"}, code: 2,
		files:  map[string]string{"v.yaml": "- a\n"},
		stderr: "cadenza deploy: --values $DIR/v.yaml: must be a mapping of parameter names to values, not a list\n" + deployUsage,
	}, {
		name: "list",
		args: []string{"deployment", "list", "--app", "com-example-echo", "--client", "c1"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments?application=com-example-echo&clientId=c1": okJSON(`{"items":[` + rollEcho + `,` + rollGone + `]}`),
		},
		reqs: []string{"GET /fleet/v1/deployments?application=com-example-echo&clientId=c1"},
		stdout: "" +
			"ID           APPLICATION       VERSION  PROFILE  TARGET                                   DEVICES  ASSIGNED  INELIGIBLE  STATUS    AGE\n" +
			"echo-plant1  com-example-echo  1.0.0    <none>   c1/d1,c2/* + site=plant-1,tier in (a,b)  3        2         1           Active    2h\n" +
			"old-1        com-example-old   0.1.0    <none>   3 devices                                0        0         0           Deleting  31d\n",
	}, {
		name: "show with placements",
		args: []string{"deployment", "show", "echo-plant1"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments/echo-plant1":         okJSON(rollEcho),
			"GET /fleet/v1/deployments/echo-plant1/devices": okJSON(placements),
		},
		reqs: []string{"GET /fleet/v1/deployments/echo-plant1", "GET /fleet/v1/deployments/echo-plant1/devices"},
		stdout: echoDescribe + "\n" +
			"CLIENT  DEVICE  ELIGIBLE  PROFILE       STATE      DEPLOYMENT  REASON\n" +
			"c1      d1      yes       echo-helm     installed  8c4e-1      <none>\n" +
			"c2      x/y     yes       echo-compose  pending    8c4e-2      <none>\n" +
			"c3      z       no        <none>        <none>     <none>      no profile fits: cpu 1 < 2\n",
	}, {
		name: "show as JSON",
		args: []string{"deployment", "show", "old-1", "-o", "json"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments/old-1":         okJSON(`{"id":"old-1"}`),
			"GET /fleet/v1/deployments/old-1/devices": okJSON(`{"items":[]}`),
		},
		reqs:   []string{"GET /fleet/v1/deployments/old-1", "GET /fleet/v1/deployments/old-1/devices"},
		stdout: "{\n  \"deployment\": {\n    \"id\": \"old-1\"\n  },\n  \"devices\": []\n}\n",
	}, {
		name: "show a deployment being deleted",
		args: []string{"deployment", "show", "old-1"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments/old-1":         okJSON(rollGone),
			"GET /fleet/v1/deployments/old-1/devices": okJSON(`{"items":[]}`),
		},
		reqs: []string{"GET /fleet/v1/deployments/old-1", "GET /fleet/v1/deployments/old-1/devices"},
		stdout: "" +
			"ID:           old-1\n" +
			"Application:  com-example-old\n" +
			"Version:      0.1.0\n" +
			"Profile:      <the first that fits each device>\n" +
			"Namespace:    margo\n" +
			"Parameters:   <none>\n" +
			"Devices:      a/*, b/*, c/*\n" +
			"Selector:     <none>\n" +
			"Status:       Deleting (its devices uninstall it)\n" +
			"Generation:   1\n" +
			"Created:      2025-05-01T12:00:00Z (31d ago)\n" +
			"Updated:      2025-05-01T12:00:00Z (31d ago)\n" +
			"Summary:      0 devices: 0 assigned, 0 ineligible\n" +
			"\n" +
			"No target devices.\n",
	}, {
		name:   "show an unknown deployment",
		args:   []string{"deployment", "show", "nope"},
		routes: map[string]fakeReply{"GET /fleet/v1/deployments/nope": problemReply(404, "Not Found", `deployment "nope" not found`)},
		reqs:   []string{"GET /fleet/v1/deployments/nope"},
		code:   1,
		stderr: "cadenza deployment show: Not Found (404): deployment \"nope\" not found\nhint: no deployment nope: list them with `cadenza deployment list`\n",
	}, {
		name: "update merges --set into the current parameters",
		args: []string{"deployment", "update", "echo-plant1", "--version", "1.1.0", "--set", "greeting=hi", "--set", "port=null", "--set-string", "level=3"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments/echo-plant1":   okJSON(rollEcho),
			"PATCH /fleet/v1/deployments/echo-plant1": okJSON(rollEcho),
		},
		reqs: []string{"GET /fleet/v1/deployments/echo-plant1",
			`PATCH /fleet/v1/deployments/echo-plant1 If-Match:"2" application/json {"version":"1.1.0","parameters":{"greeting":"hi","level":"3"}}`},
		stdout: "deployment echo-plant1 updated\n\n" + echoDescribe,
	}, {
		name:   "update the version and target only",
		args:   []string{"deployments", "update", "echo-plant1", "--version", "1.1.0", "--device", "c3/d", "-o", "yaml"},
		routes: map[string]fakeReply{"PATCH /fleet/v1/deployments/echo-plant1": okJSON(`{"id":"echo-plant1","version":"1.1.0"}`)},
		reqs:   []string{`PATCH /fleet/v1/deployments/echo-plant1 application/json {"version":"1.1.0","target":{"devices":[{"clientId":"c3","deviceId":"d"}]}}`},
		stdout: "id: echo-plant1\nversion: 1.1.0\n",
	}, {
		name: "update removing every value",
		args: []string{"deployment", "update", "x", "--set", "a=~", "-o", "json"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments/x":   okJSON(`{"id":"x","parameters":{"a":1}}`),
			"PATCH /fleet/v1/deployments/x": okJSON(`{"id":"x"}`),
		},
		reqs:   []string{"GET /fleet/v1/deployments/x", `PATCH /fleet/v1/deployments/x application/json {"parameters":{}}`},
		stdout: "{\n  \"id\": \"x\"\n}\n",
	}, {
		name: "update nothing", args: []string{"deployment", "update", "x"}, code: 2,
		stderr: "cadenza deployment update: nothing to change: give --version, --profile, --set, --values, --device or -l\n" + updateUsage,
	}, {
		name: "history of one device",
		args: []string{"deployment", "history", "echo-plant1", "c1"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/deployments/echo-plant1/devices": okJSON(placements),
			"GET /fleet/v1/clients/c1/deployments/8c4e-1/status": okJSON(`{"items":[` +
				`{"received":"2025-06-01T11:59:00Z","state":"installed","report":{"status":{"state":"installed"},"components":[{"name":"echo","state":"installed"}]}},` +
				`{"received":"2025-06-01T11:58:00Z","state":"failed","report":{"status":{"state":"failed","error":{"code":"APPLY_FAILED","message":"image pull"}},"components":[{"name":"echo","state":"failed"}]}}]}`),
		},
		reqs: []string{"GET /fleet/v1/deployments/echo-plant1/devices", "GET /fleet/v1/clients/c1/deployments/8c4e-1/status"},
		stdout: "" +
			"RECEIVED                        STATE      COMPONENTS      ERROR\n" +
			"2025-06-01T11:59:00Z (60s ago)  installed  echo=installed  <none>\n" +
			"2025-06-01T11:58:00Z (2m ago)   failed     echo=failed     APPLY_FAILED: image pull\n",
	}, {
		name: "history of a device left out", args: []string{"deployment", "history", "echo-plant1", "c3/z"}, code: 1,
		routes: map[string]fakeReply{"GET /fleet/v1/deployments/echo-plant1/devices": okJSON(placements)},
		reqs:   []string{"GET /fleet/v1/deployments/echo-plant1/devices"},
		stderr: "cadenza deployment history: device c3/z has no copy of deployment echo-plant1: no profile fits: cpu 1 < 2\n",
	}, {
		name:   "delete",
		args:   []string{"deployment", "delete", "echo-plant1"},
		routes: map[string]fakeReply{"DELETE /fleet/v1/deployments/echo-plant1": {status: 202}},
		reqs:   []string{"DELETE /fleet/v1/deployments/echo-plant1"},
		stdout: "deployment echo-plant1 is being deleted: its devices uninstall it (follow with cadenza deployment show echo-plant1)\n",
	}, {
		name:   "delete once the devices removed it",
		args:   []string{"deployment", "delete", "old-1"},
		routes: map[string]fakeReply{"DELETE /fleet/v1/deployments/old-1": {status: 204}},
		reqs:   []string{"DELETE /fleet/v1/deployments/old-1"},
		stdout: "deployment old-1 deleted\n",
	}, {
		name:   "delete and forget",
		args:   []string{"deployment", "rm", "--forget", "echo-plant1"},
		routes: map[string]fakeReply{"DELETE /fleet/v1/deployments/echo-plant1?forget=true": {status: 204}},
		reqs:   []string{"DELETE /fleet/v1/deployments/echo-plant1?forget=true"},
		stdout: "deployment echo-plant1 forgotten\n",
	}, {
		name:   "eligibility of the latest version",
		args:   []string{"eligibility", "alpha", "--device", "c1/d1"},
		routes: map[string]fakeReply{"GET /fleet/v1/eligibility?application=alpha&clientId=c1&deviceId=d1": okJSON(eligibleAnswer)},
		reqs:   []string{"GET /fleet/v1/eligibility?application=alpha&clientId=c1&deviceId=d1"},
		stdout: "" +
			"Application:  alpha 1.1.0\n" +
			"Device:       c1/d1\n" +
			"Eligible:     1 of 2 profiles\n" +
			"\n" +
			"PROFILE        TYPE     ELIGIBLE  CHECK         OK   MESSAGE\n" +
			"alpha-helm     helm     no        cpu           yes  4 cores >= 1.5\n" +
			"                                  architecture  no   riscv64 is not amd64 or arm64\n" +
			"alpha-compose  compose  yes\n",
	}, {
		name: "eligibility of a client's only device, one version and profile",
		args: []string{"eligibility", "alpha", "--device", "c1", "--version", "1.0.0", "--profile", "alpha-helm", "-o", "json"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/devices?clientId=c1": okJSON(`{"items":[` + devChild + `]}`),
			"GET /fleet/v1/eligibility?application=alpha&clientId=c1&deviceId=gw%2Fchild&profile=alpha-helm&version=1.0.0": okJSON(`{"profiles":[]}`),
		},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c1", "GET /fleet/v1/eligibility?application=alpha&clientId=c1&deviceId=gw%2Fchild&profile=alpha-helm&version=1.0.0"},
		stdout: "{\n  \"profiles\": []\n}\n",
	}, {
		name: "eligibility without a device", args: []string{"eligibility", "alpha"}, code: 2,
		stderr: "cadenza eligibility: --device CLIENT[/DEVICE] is required\nusage: cadenza eligibility " + eligibilitySynopsis + " (cadenza eligibility -h for more)\n",
	}})
}

func TestParseScalar(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want any
	}{
		{"hello", "hello"}, {"", ""}, {"8080", int64(8080)}, {"-3", int64(-3)}, {"+7", int64(7)}, {"0", int64(0)},
		{"01234", "01234"}, {"0x1F", int64(31)}, {"0.5", 0.5}, {"1e3", 1000.0}, {".5", 0.5}, {"1.10", 1.1},
		{"true", true}, {"False", false}, {"yes", "yes"}, {"on", "on"}, {"null", nil}, {"~", nil},
		{`"8080"`, "8080"}, {`'true'`, "true"}, {`"a\tb"`, "a\tb"}, {`'it''s'`, "it's"},
		{"[a, 2, true]", []any{"a", float64(2), true}}, {"[unclosed", "[unclosed"}, {"{a: 1}", "{a: 1}"},
		{"99999999999999999999", "99999999999999999999"}, {"1.2.3", "1.2.3"}, {"a=b", "a=b"}, {".inf", ".inf"},
	} {
		if got := parseScalar(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseScalar(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}
