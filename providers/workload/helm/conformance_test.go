package helm

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/coa/workload/workloadtest"
)

// component is a helm.v3 component of the test deployment.
func component(repo, revision, greeting string) workload.Component {
	return workload.Component{
		DeploymentID: "7c9e6679-7425-40de-944b-e07fc1f90ae7", Deployment: "helm-test", Namespace: "cadenza-test",
		Name: "greeter", ProfileType: ProfileTypeV3, Repository: repo, Revision: revision,
		Wait: true, Timeout: time.Minute, Parameters: map[string]any{"settings.greeting": greeting},
	}
}

// verifyRelease reads c's release from the provider and checks its chart
// version and that the rendered ConfigMap carries the parameter.
func verifyRelease(t testing.TB, p workload.Provider, c workload.Component) {
	t.Helper()
	rel, err := p.(*Provider).Release(context.Background(), c)
	if err != nil {
		t.Fatalf("Release(%s): %v", c.Name, err)
	}
	if v := rel.Chart.Metadata.Version; v != c.Revision {
		t.Fatalf("release %s runs chart %s, want %s", rel.Name, v, c.Revision)
	}
	want := `greeting: "` + c.Parameters["settings.greeting"].(string) + `"`
	if !strings.Contains(rel.Manifest, want) || !strings.Contains(rel.Manifest, "kind: ConfigMap") {
		t.Fatalf("release %s manifest does not render %s:\n%s", rel.Name, want, rel.Manifest)
	}
	if rel.Namespace != c.Namespace {
		t.Fatalf("release %s is in namespace %q, want %q", rel.Name, rel.Namespace, c.Namespace)
	}
}

// TestConformanceHelm runs the workload kit against the fake-cluster
// provider with charts pulled from a real registry by artifacts.oras.
// NeverReady is not set: the fake kube client's Wait completes at once.
func TestConformanceHelm(t *testing.T) {
	reg, repo := publishCharts(t)
	base := component(repo, "0.1.0", "hello")
	up := component(repo, "0.2.0", "bonjour")
	broken := component(repo, "9.9.9", "hello") // no such tag
	broken.Name = "broken"
	workloadtest.Run(t, func(t *testing.T) workload.Provider {
		return newFakeProvider(t, newPuller(t, reg), nil)
	}, workloadtest.Fixture{Base: base, Upgraded: up, Broken: broken, Verify: verifyRelease})
}

// TestValuesOnlyUpgrade checks a change of parameters alone upgrades the
// release (a new revision) and an equal Apply does not.
func TestValuesOnlyUpgrade(t *testing.T) {
	reg, repo := publishCharts(t)
	p := newFakeProvider(t, newPuller(t, reg), nil)
	ctx := t.Context()
	steps := []struct {
		greeting string
		gen      string
	}{{"hello", "1"}, {"hello", "1"}, {"salut", "2"}, {"salut", "2"}}
	for i, s := range steps {
		c := component(repo, "0.1.0", s.greeting)
		st, err := p.Apply(ctx, c, nil)
		if err != nil {
			t.Fatalf("step %d: Apply: %v", i, err)
		}
		if st.Details[workload.DetailGeneration] != s.gen {
			t.Fatalf("step %d: generation %s, want %s", i, st.Details[workload.DetailGeneration], s.gen)
		}
		verifyRelease(t, p, c)
	}
}

// TestHelmRegistryClientPull covers the path without an artifacts
// provider: Helm's own registry client, plain HTTP for the test registry.
func TestHelmRegistryClientPull(t *testing.T) {
	reg, repo := publishCharts(t)
	p := newFakeProvider(t, nil, map[string]any{"plainHTTP": []string{reg.Host}})
	c := component(repo, "0.2.0", "hej")
	if _, err := p.Apply(t.Context(), c, nil); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	verifyRelease(t, p, c)
	missing := component(repo, "9.9.9", "hej")
	missing.Name = "missing"
	if _, err := p.Apply(t.Context(), missing, nil); err == nil {
		t.Fatal("Apply of a missing chart succeeded")
	} else {
		t.Logf("missing chart: %v", err)
	}
}
