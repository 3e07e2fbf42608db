package cli

import (
	"testing"
)

func TestAppCommands(t *testing.T) {
	runCtlCases(t, []ctlCase{{
		name:   "list",
		args:   []string{"app", "list"},
		routes: map[string]fakeReply{"GET /fleet/v1/applications": okJSON(`{"items":[` + appAlpha + `,` + appBeta + `]}`)},
		reqs:   []string{"GET /fleet/v1/applications"},
		stdout: "" +
			"ID     NAME       LATEST  VERSIONS     TAGLINE\n" +
			"alpha  App alpha  1.1.0   1.0.0,1.1.0  Greets\n" +
			"beta   App beta   2.0.0   2.0.0        <none>\n",
	}, {
		name:   "list none",
		args:   []string{"apps", "ls"},
		routes: map[string]fakeReply{"GET /fleet/v1/applications": okJSON(`{"items":[]}`)},
		reqs:   []string{"GET /fleet/v1/applications"},
		stderr: "No applications found.\nApplications come from registries: cadenza registry add NAME --url URL, then cadenza registry sync NAME\n",
	}, {
		name: "show the latest version",
		args: []string{"app", "show", "alpha"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/applications/alpha":                okJSON(appAlpha),
			"GET /fleet/v1/applications/alpha/versions/1.1.0": okJSON(alphaV11),
		},
		reqs: []string{"GET /fleet/v1/applications/alpha", "GET /fleet/v1/applications/alpha/versions/1.1.0"},
		stdout: "" +
			"ID:           alpha\n" +
			"Name:         App alpha\n" +
			"Tagline:      Greets\n" +
			"Latest:       1.1.0\n" +
			"Versions:     1.0.0 (main), 1.1.0 (main)\n" +
			"Version:      1.1.0\n" +
			"Registry:     main, folder alpha, revision 0123456789ab\n" +
			"Digest:       sha256:abcd\n" +
			"Description:  Says hello\n" +
			"\n" +
			"PROFILE        TYPE     COMPONENTS  CONSTRAINTS\n" +
			"alpha-helm     helm     web,db      cpu>=1.5, arch=amd64|arm64, memory>=1Gi\n" +
			"alpha-compose  compose  app         <none>\n" +
			"\n" +
			"PARAMETER  DEFAULT  TARGETS\n" +
			"greeting   \"hello\"  greeting (web); GREETING (app)\n" +
			"port       <none>   port (web)\n" +
			"\n" +
			"PARAMETER  SETTING   SECTION  TYPE     REQUIRED  IMMUTABLE  RULE\n" +
			"greeting   Greeting  General  string   no        no         length<=45\n" +
			"port       Port      General  integer  yes       yes        >=1, <=65535\n",
	}, {
		name: "show a version as JSON",
		args: []string{"app", "show", "beta", "--version", "2.0.0", "-o", "json"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/applications/beta":                okJSON(appBeta),
			"GET /fleet/v1/applications/beta/versions/2.0.0": okJSON(`{"id":"beta","version":"2.0.0"}`),
		},
		reqs: []string{"GET /fleet/v1/applications/beta", "GET /fleet/v1/applications/beta/versions/2.0.0"},
		stdout: "{\n  \"application\": {\n    \"id\": \"beta\",\n    \"name\": \"App beta\",\n    \"latest\": \"2.0.0\",\n    \"versions\": [\n      {\n" +
			"        \"version\": \"2.0.0\",\n        \"registry\": \"local\"\n      }\n    ]\n  },\n  \"version\": {\n    \"id\": \"beta\",\n    \"version\": \"2.0.0\"\n  }\n}\n",
	}, {
		name: "show an unknown version",
		args: []string{"app", "show", "alpha", "--version", "9.9.9"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/applications/alpha":                okJSON(appAlpha),
			"GET /fleet/v1/applications/alpha/versions/9.9.9": problemReply(404, "Not Found", "application alpha has no version 9.9.9"),
		},
		reqs:   []string{"GET /fleet/v1/applications/alpha", "GET /fleet/v1/applications/alpha/versions/9.9.9"},
		code:   1,
		stderr: "cadenza app show: Not Found (404): application alpha has no version 9.9.9\nhint: application alpha has the versions 1.0.0, 1.1.0\n",
	}, {
		name:   "show an unknown application",
		args:   []string{"app", "show", "ghost"},
		routes: map[string]fakeReply{"GET /fleet/v1/applications/ghost": problemReply(404, "Not Found", `application "ghost" not found`)},
		reqs:   []string{"GET /fleet/v1/applications/ghost"},
		code:   1,
		stderr: "cadenza app show: Not Found (404): application \"ghost\" not found\nhint: no application ghost in the catalog: list them with `cadenza app list` (a registry sync adds them)\n",
	}, {
		name: "show without an id", args: []string{"app", "show"}, code: 2,
		stderr: "cadenza app show: missing arguments\nusage: cadenza app show ID [--version V] (cadenza app show -h for more)\n",
	}})
}
