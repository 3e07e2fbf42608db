package main

// The agent's workload runtimes come from config alone: any number of
// workload providers are bound to managers.sync's "workload" list, and each
// deployment runs on the one that declares its profile type.

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// agentWithRuntimes starts a WFM and an agent bound to the given test
// runtimes (each a workload.testfake of its own), waits for the onboarding
// and returns the client id.
func agentWithRuntimes(t *testing.T, rts []testRuntime, edit func(string) string) (*wfm, *agentHost, string) {
	t.Helper()
	w := startWFM(t, t.TempDir())
	for _, r := range rts {
		testFleets.Store(r.instance, newTestWorkloads())
		t.Cleanup(func() { testFleets.Delete(r.instance) })
	}
	dir := t.TempDir()
	writeCA(t, w, filepath.Join(dir, "ca.pem"))
	o := agentOptions{wfmURL: w.base(), caFile: filepath.Join(dir, "ca.pem"), runtimes: rts, deviceID: "edge-e2e", backoff: "500ms"}
	if edit != nil {
		doc := edit(agentDoc(dir, o))
		o.rawDoc = doc
	}
	a := startAgent(t, dir, o)
	var st agentStatus
	eventually(t, "the agent has onboarded", func() bool { a.get(t, "/status", &st); return st.Onboarded })
	return w, a, st.ClientID
}

func fleetOf(t *testing.T, instance string) *testWorkloads {
	t.Helper()
	v, ok := testFleets.Load(instance)
	if !ok {
		t.Fatalf("no test workloads %q", instance)
	}
	return v.(*testWorkloads)
}

func TestEndToEndAgentRunsEachProfileTypeOnTheProviderThatDeclaresIt(t *testing.T) {
	charts, apps, other := t.Name()+"/charts", t.Name()+"/apps", t.Name()+"/other"
	w, _, client := agentWithRuntimes(t, []testRuntime{
		{name: "other", instance: other, types: []string{"custom"}},
		{name: "apps", instance: apps, types: []string{"compose"}},
		{name: "charts", instance: charts, types: []string{"helm.v3", "helm"}},
	}, nil)
	apply(t, w, client, e2eYAML(e2eA, "helm.v3", "1.0.0", "hi", "db"))
	apply(t, w, client, e2eYAML(e2eB, "compose", "1", "hi", "web"))
	for _, id := range []string{e2eA, e2eB} {
		eventually(t, id+" installed at the WFM", func() bool { _, s, _ := latest(t, w, client, id); return s == "installed" })
	}
	ca, _ := fleetOf(t, charts).counts()
	aa, _ := fleetOf(t, apps).counts()
	oa, _ := fleetOf(t, other).counts()
	if ca["db"] != 1 || len(ca) != 1 || aa["web"] != 1 || len(aa) != 1 || len(oa) != 0 {
		t.Fatalf("applies: charts %v, apps %v, other %v", ca, aa, oa)
	}
}

func TestEndToEndAgentReportsTheDeploymentTypesItRuns(t *testing.T) {
	apps := t.Name() + "/apps"
	w, _, client := agentWithRuntimes(t, []testRuntime{{name: "apps", instance: apps, types: []string{"compose"}}}, func(doc string) string {
		doc = strings.Replace(doc, `"serial": "E2E-1"}`, `"serial": "E2E-1", "otelCollector": true}`, 1)
		return strings.Replace(doc, `"pollInterval": "100ms"`, `"pollInterval": "100ms", "capabilitiesShape": "flat"`, 1)
	})
	var out []byte
	eventually(t, "the capabilities reached the WFM", func() bool {
		var code int
		code, out = w.operator(t, "GET", "/clients/"+client+"/devices/edge-e2e", "", nil)
		return code == 200
	})
	if !strings.Contains(string(out), `"supportedDeploymentTypes":["compose"]`) {
		t.Fatalf("capabilities at the WFM: %s", out)
	}
}

func TestCheckRefusesTwoWorkloadProvidersForOneProfileType(t *testing.T) {
	dir := t.TempDir()
	doc := agentDoc(dir, agentOptions{wfmURL: "https://127.0.0.1:1/api/v1", caFile: filepath.Join(dir, "ca.pem"), deviceID: "d", backoff: "1s",
		runtimes: []testRuntime{{name: "podman", instance: "x", types: []string{"compose"}}, {name: "docker", instance: "y", types: []string{"compose", "custom"}}}})
	f := filepath.Join(dir, "agent.json")
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := Main([]string{"check", "--config", f}, &out, &errb, nil)
	want := `vendors[0].managers[0].uses.workload: providers "podman" and "docker" both run deployment profile type compose`
	if code != 2 || !strings.Contains(errb.String(), want) || strings.Count(errb.String(), "config error") != 1 {
		t.Fatalf("exit %d, stderr:\n%s\nwant one error: %s", code, errb.String(), want)
	}
	if lines := strings.Split(strings.TrimSpace(errb.String()), "\n"); !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, f) }) {
		t.Fatalf("the error does not name the file: %s", errb.String())
	}
}
