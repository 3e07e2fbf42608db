package helm

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
)

// TestRealClusterHelm installs, upgrades and removes the test chart on the
// cluster of the ambient kubeconfig. Without one it is skipped, with the
// reason, so the report shows the real-cluster path was not run.
func TestRealClusterHelm(t *testing.T) {
	path, ok := kubeconfigPath("")
	if !ok {
		t.Skip("no cluster: needs a readable kubeconfig, named by $KUBECONFIG or at ~/.kube/config")
	}
	reg, repo := publishCharts(t)
	p := &Provider{}
	raw, _ := json.Marshal(map[string]any{"kubeconfig": path})
	if err := config.DecodeModule("test.json", "providers.workload.config", raw, p.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	env := &module.Env{ID: ID, Logger: testLogger(t), Uses: map[string]module.Module{"artifacts": newPuller(t, reg)}}
	if err := p.Init(t.Context(), env); err != nil {
		t.Fatalf("Init: %v", err)
	}
	t.Logf("real cluster from %s (the cluster must reach the registry only through this process: charts are pulled here)", path)
	base, up := component(repo, "0.1.0", "hello"), component(repo, "0.2.0", "bonjour")
	base.Namespace, up.Namespace = "cadenza-helm-test", "cadenza-helm-test"
	t.Cleanup(func() { _ = p.Remove(context.Background(), base, nil) })
	for _, c := range []struct {
		name string
		gen  string
	}{{"0.1.0", "1"}, {"0.2.0", "2"}} {
		comp := base
		if c.name == "0.2.0" {
			comp = up
		}
		st, err := p.Apply(t.Context(), comp, nil)
		if err != nil {
			t.Fatalf("Apply %s: %v", c.name, err)
		}
		if st.Details["generation"] != c.gen {
			t.Fatalf("Apply %s: generation %s, want %s", c.name, st.Details["generation"], c.gen)
		}
		verifyRelease(t, p, comp)
	}
	if err := p.Remove(t.Context(), base, nil); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := p.Status(t.Context(), base); !fault.Is(err, fault.NotFound) {
		t.Fatalf("Status after Remove: %v; want NotFound", err)
	}
}
