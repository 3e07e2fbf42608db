package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// sampleWith is samples/wfm.json with one replacement (which must apply).
func sampleWith(t *testing.T, from, to string) string {
	t.Helper()
	b, err := os.ReadFile("../samples/wfm.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), from) {
		t.Fatalf("samples/wfm.json has no %q", from)
	}
	return writeConfig(t, strings.Replace(string(b), from, to, 1))
}

// check runs cadenza check on f and returns the exit code and stderr.
func check(t *testing.T, f string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main([]string{"check", "--config", f}, &out, &errb, nil)
	return code, errb.String()
}

// A manager that needs a sibling the config lacks is a config error at
// check time, naming what to add, before anything starts.
func TestCheckReportsAMissingSiblingManager(t *testing.T) {
	f := sampleWith(t, `{ "name": "catalog", "type": "managers.catalog", "uses": { "state": "store", "registry": "apps", "events": "events" },
          "interval": "5m" },`, ``)
	code, stderr := check(t, f)
	want := f + ": vendors[1].managers[4]: managers.rollout needs a manager implementing fleet.Catalog (a managers.catalog) beside it in vendors[1].managers"
	if code != 2 || !strings.Contains(stderr, want) || strings.Count(stderr, "config error") != 1 {
		t.Fatalf("exit %d, stderr:\n%s\nwant the one error: %s", code, stderr, want)
	}
}

// A bad value in a named manager's config is reported once, at its own
// path: not again as "no manager named" where another vendor refers to it,
// nor as the siblings that vendor then lacks.
func TestCheckReportsTheRootCauseOnly(t *testing.T) {
	for _, c := range []struct{ name, from, to, want string }{
		{"bad enum in a shared manager", `"policy": { "mode": "auto" }`, `"policy": { "mode": "sometimes" }`, "vendors[0].managers[0].config.policy.mode"},
		{"unknown provider type", `"type": "state.bolt"`, `"type": "state.nope"`, "providers.store.type"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stderr := check(t, sampleWith(t, c.from, c.to))
			if code != 2 || strings.Count(stderr, "config error") != 1 || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant one error at %s", code, stderr, c.want)
			}
		})
	}
}
