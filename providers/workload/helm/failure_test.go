package helm

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage/driver"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// TestInvalidChartsAreBadRequest: a layer that is no chart, and a tag
// whose chart has another version, fail with BadRequest and install nothing.
func TestInvalidChartsAreBadRequest(t *testing.T) {
	reg, repo := publishCharts(t)
	pushChart(t, reg, "charts/greeter", "0.3.0", packageChart(t, "greeter", "0.1.0"), map[string]string{"name": "greeter"})
	pushChart(t, reg, "charts/greeter", "0.4.0", []byte("not a tarball"), map[string]string{"name": "greeter"})
	p := newFakeProvider(t, newPuller(t, reg), nil)
	for _, rev := range []string{"0.3.0", "0.4.0"} {
		c := component(repo, rev, "x")
		s, err := p.Apply(t.Context(), c, nil)
		if !fault.Is(err, fault.BadRequest) || s.Phase == workload.Installed {
			t.Fatalf("Apply %s = %+v, %v (code %q); want BadRequest", rev, s, err, fault.CodeOf(err))
		}
		if _, err := p.Status(t.Context(), c); !fault.Is(err, fault.NotFound) {
			t.Fatalf("Status after a rejected chart: %v; want NotFound", err)
		}
	}
}

// TestStalePendingReleaseIsTakenOver: a revision left pending-upgrade by a
// crashed agent is marked failed and upgraded over, not reported forever.
func TestStalePendingReleaseIsTakenOver(t *testing.T) {
	reg, repo := publishCharts(t)
	p := newFakeProvider(t, newPuller(t, reg), nil)
	c := component(repo, "0.1.0", "hello")
	if _, err := p.Apply(t.Context(), c, nil); err != nil {
		t.Fatal(err)
	}
	cfg, _ := p.actionConfig(c.Namespace)
	rel, _ := cfg.Releases.Last(ReleaseName(c))
	rel.SetStatus(release.StatusPendingUpgrade, "crashed")
	if s, err := p.Status(t.Context(), c); err != nil || s.Phase != workload.Installing {
		t.Fatalf("Status of a pending release = %+v, %v; want installing", s, err)
	}
	s, err := p.Apply(t.Context(), c, nil)
	if err != nil || s.Phase != workload.Installed || s.Details[workload.DetailGeneration] != "2" {
		t.Fatalf("Apply over a stale pending revision = %+v, %v; want installed at generation 2", s, err)
	}
	verifyRelease(t, p, c)
}

func TestHelmFault(t *testing.T) {
	tests := []struct {
		err  error
		want fault.Code
	}{
		{errors.New("Kubernetes cluster unreachable: Get \"https://x\": dial tcp: connection refused"), fault.Unavailable},
		{errors.New("timed out waiting for the condition"), fault.Timeout},
		{fmt.Errorf("wait: %w", context.DeadlineExceeded), fault.Timeout},
		{errors.New("another operation (install/upgrade/rollback) is in progress"), fault.Conflict},
		{errors.New(`template: greeter/templates/cm.yaml:3: function "nope" not defined`), fault.BadRequest},
		{fault.New(fault.NotFound, "chart"), fault.NotFound},
		{fmt.Errorf("read: %w", driver.ErrReleaseNotFound), fault.Internal},
	}
	for _, tt := range tests {
		if got := fault.CodeOf(helmFault(tt.err, "op")); got != tt.want {
			t.Errorf("helmFault(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
