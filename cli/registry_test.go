package cli

import (
	"testing"
)

func TestRegistryCommands(t *testing.T) {
	addUsage := "usage: cadenza registry add " + registryAddSynopsis + " (cadenza registry add -h for more)\n"
	runCtlCases(t, []ctlCase{{
		name:   "add with a tag, a folder and basic auth",
		args:   []string{"registry", "add", "main", "--url", "https://git.example/apps.git", "--tag", "v1", "--path", "apps", "--username", "u", "--password-env", "REG_PASS"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries": {status: 201, body: `{"name":"main","url":"https://git.example/apps.git","ref":"v1","path":"apps","username":"u","secretEnv":"REG_PASS"}`}},
		reqs:   []string{`POST /fleet/v1/registries application/json {"name":"main","url":"https://git.example/apps.git","ref":"v1","path":"apps","username":"u","secretEnv":"REG_PASS"}`},
		stdout: "registry main added; fetch it now with: cadenza registry sync main\nthe WFM reads the secret from its environment variable REG_PASS at every sync\n",
	}, {
		name:   "add with a branch and a bearer token, flags first",
		args:   []string{"registry", "add", "--branch", "dev", "--token-env", "GIT_TOKEN", "main", "--url", "/srv/apps", "-o", "json"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries": {status: 201, body: `{"name":"main","url":"/srv/apps","ref":"dev","secretEnv":"GIT_TOKEN"}`}},
		reqs:   []string{`POST /fleet/v1/registries application/json {"name":"main","url":"/srv/apps","ref":"dev","secretEnv":"GIT_TOKEN"}`},
		stdout: "{\n  \"name\": \"main\",\n  \"url\": \"/srv/apps\",\n  \"ref\": \"dev\",\n  \"secretEnv\": \"GIT_TOKEN\"\n}\n",
	}, {
		name:   "add a name taken",
		args:   []string{"registry", "add", "main", "--url", "/srv/apps"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries": problemReply(409, "Conflict", `registry "main" already exists`)},
		code:   1,
		reqs:   []string{`POST /fleet/v1/registries application/json {"name":"main","url":"/srv/apps"}`},
		stderr: "cadenza registry add: Conflict (409): registry \"main\" already exists\nhint: pick another name, or remove it first with cadenza registry remove main\n",
	}, {
		name:   "add refused with violations",
		args:   []string{"registry", "add", "Main!", "--url", "x"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries": problemReply(400, "Bad Request", "invalid registry", "name: must match ^[a-z0-9][-a-z0-9]{0,62}$", "url: is not a git URL")},
		code:   1,
		reqs:   []string{`POST /fleet/v1/registries application/json {"name":"Main!","url":"x"}`},
		stderr: "cadenza registry add: Bad Request (400): invalid registry\n  name: must match ^[a-z0-9][-a-z0-9]{0,62}$\n  url: is not a git URL\n",
	}, {
		name: "add without --url", args: []string{"registry", "add", "main"}, code: 2,
		stderr: "cadenza registry add: --url is required\n" + addUsage,
	}, {
		name: "add with a branch and a tag", args: []string{"registry", "add", "main", "--url", "u", "--branch", "a", "--tag", "b"}, code: 2,
		stderr: "cadenza registry add: give --branch or --tag, not both\n" + addUsage,
	}, {
		name: "add a password without a user", args: []string{"registry", "add", "main", "--url", "u", "--password-env", "P"}, code: 2,
		stderr: "cadenza registry add: --password-env needs --username (for a bearer token, use --token-env)\n" + addUsage,
	}, {
		name: "add with an interval", args: []string{"registry", "add", "main", "--url", "u", "--interval", "10m"}, code: 2,
		stderr: "cadenza registry add: --interval: a registry has no sync interval of its own; the WFM syncs every registry on the \"interval\" of its managers.catalog (5m in samples/wfm.json); sync one now with cadenza registry sync NAME\n" + addUsage,
	}, {
		name: "add two names", args: []string{"registry", "add", "a", "b", "--url", "u"}, code: 2,
		stderr: "cadenza registry add: unexpected argument \"b\"\n" + addUsage,
	}, {
		name: "add with an unknown flag", args: []string{"registry", "add", "a", "--urls", "u"}, code: 2,
		stderr: "cadenza registry add: unknown flag: --urls\n" + addUsage,
	}, {
		name: "list pages through the listing",
		args: []string{"registry", "list"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/registries":          okJSON(`{"items":[` + regMain + `],"next":"p2"}`),
			"GET /fleet/v1/registries?after=p2": okJSON(`{"items":[` + regLocal + `,` + regFailed + `]}`),
		},
		reqs: []string{"GET /fleet/v1/registries", "GET /fleet/v1/registries?after=p2"},
		stdout: "" +
			"NAME   URL                           REF     PATH    STATUS                REVISION      PACKAGES  INVALID  SYNCED\n" +
			"main   https://git.example/apps.git  v1      apps    Synced                0123456789ab  3         2        5m\n" +
			"local  /srv/apps                     <none>  <none>  Pending               <none>        0         0        <none>\n" +
			"main   https://git.example/apps.git  <none>  <none>  Failed(unauthorized)  <none>        0         0        30s\n",
	}, {
		name:   "list as JSON merges the pages",
		args:   []string{"registry", "list", "-o", "json"},
		routes: map[string]fakeReply{"GET /fleet/v1/registries": okJSON(`{"items":[` + regLocal + `],"next":"p2"}`), "GET /fleet/v1/registries?after=p2": okJSON(`{"items":[]}`)},
		reqs:   []string{"GET /fleet/v1/registries", "GET /fleet/v1/registries?after=p2"},
		stdout: "{\n  \"items\": [\n    {\n      \"name\": \"local\",\n      \"url\": \"/srv/apps\"\n    }\n  ]\n}\n",
	}, {
		name:   "list as YAML",
		args:   []string{"registry", "list", "-o", "yaml"},
		routes: map[string]fakeReply{"GET /fleet/v1/registries": okJSON(`{"items":[` + regLocal + `]}`)},
		reqs:   []string{"GET /fleet/v1/registries"},
		stdout: "items:\n- name: local\n  url: /srv/apps\n",
	}, {
		name:   "list none",
		args:   []string{"registry", "list"},
		routes: map[string]fakeReply{"GET /fleet/v1/registries": okJSON(`{"items":[]}`)},
		reqs:   []string{"GET /fleet/v1/registries"},
		stderr: "No registries found.\nAdd one with: cadenza registry add NAME --url URL\n",
	}, {
		name:   "sync prints the packages and their violations",
		args:   []string{"registry", "sync", "main"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries/main/sync": okJSON(regMain)},
		reqs:   []string{"POST /fleet/v1/registries/main/sync"},
		stdout: "" +
			"Name:       main\n" +
			"URL:        https://git.example/apps.git\n" +
			"Ref:        v1\n" +
			"Path:       apps\n" +
			"Auth:       user u, password from $REG_PASS on the WFM\n" +
			"Status:     Synced\n" +
			"Last sync:  2025-06-01T11:55:00Z (5m ago)\n" +
			"Revision:   0123456789abcdef0123\n" +
			"\n" +
			"PACKAGE  APPLICATION  VERSION  STATUS\n" +
			"alpha    alpha        1.1.0    ok\n" +
			"beta     beta         2.1.0    Invalid(1)\n" +
			"gamma    <none>       <none>   Error(too-large)\n" +
			"\n" +
			"apps/beta/margo.yaml: parameters.p.targets[0].components[0]: names no component\n" +
			"apps/gamma: package gamma holds more than 1000 files\n",
	}, {
		name:   "sync that failed exits 1",
		args:   []string{"registry", "sync", "main"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries/main/sync": okJSON(regFailed)},
		reqs:   []string{"POST /fleet/v1/registries/main/sync"},
		code:   1,
		stdout: "" +
			"Name:        main\n" +
			"URL:         https://git.example/apps.git\n" +
			"Ref:         <default branch>\n" +
			"Path:        <root>\n" +
			"Auth:        <none>\n" +
			"Status:      Failed(unauthorized)\n" +
			"Last sync:   2025-06-01T11:59:30Z (30s ago)\n" +
			"Revision:    <none>\n" +
			"Last error:  unauthorized: authentication required\n",
		stderr: "cadenza registry sync: the sync of registry main failed: authentication required\n" +
			"hint: check the registry's --username and that the WFM's environment holds the secret variable (secretEnv); remove and add the registry to change them\n",
	}, {
		name:   "sync an unknown registry",
		args:   []string{"registry", "sync", "nope"},
		routes: map[string]fakeReply{"POST /fleet/v1/registries/nope/sync": problemReply(404, "Not Found", `registry "nope" not found`)},
		reqs:   []string{"POST /fleet/v1/registries/nope/sync"},
		code:   1,
		stderr: "cadenza registry sync: Not Found (404): registry \"nope\" not found\nhint: no registry nope: list them with `cadenza registry list`\n",
	}, {
		name:   "show as YAML",
		args:   []string{"registry", "show", "local", "-o", "yaml"},
		routes: map[string]fakeReply{"GET /fleet/v1/registries/local": okJSON(regLocal)},
		reqs:   []string{"GET /fleet/v1/registries/local"},
		stdout: "name: local\nurl: /srv/apps\n",
	}, {
		name:   "remove",
		args:   []string{"registry", "remove", "main"},
		routes: map[string]fakeReply{"DELETE /fleet/v1/registries/main": {status: 204}},
		reqs:   []string{"DELETE /fleet/v1/registries/main"},
		stdout: "registry main removed\n",
	}, {
		name:   "rm with -o json prints nothing",
		args:   []string{"registries", "rm", "main", "-o", "json"},
		routes: map[string]fakeReply{"DELETE /fleet/v1/registries/main": {status: 204}},
		reqs:   []string{"DELETE /fleet/v1/registries/main"},
	}, {
		name: "a WFM without a catalog",
		args: []string{"registry", "list"},
		reqs: []string{"GET /fleet/v1/registries"},
		code: 1,
		stderr: "cadenza registry list: Not Found (404): no endpoint serves this path\n" +
			"hint: the server at $API does not serve GET /registries: check that --server ends with the operator API prefix (like /fleet/v1), and that the WFM is recent enough for this command; the catalog routes need a managers.catalog among the managers of vendors.fleet (see samples/wfm.json)\n",
	}})
}
