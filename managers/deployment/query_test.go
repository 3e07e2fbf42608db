package deployment

import (
	"context"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// stateAll lists a whole prefix in tests.
var stateAll = state.ListOptions{Limit: state.MaxPageSize}

func TestListPagesInIDOrderPerClientAndAcrossClients(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	base := fixture(t, "p1-helm.yaml")
	for i := range 5 {
		for _, c := range []string{clientA, clientB} {
			_, err := m.Apply(ctx, c, withID(base, testID(i)))
			must(t, err)
		}
	}
	cases := []struct {
		name   string
		client string
		want   int
	}{
		{"one client", clientA, 5},
		{"every client", "", 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []fleet.Deployment
			page := fleet.Page{Limit: 3}
			for {
				ds, next, err := m.List(ctx, c.client, page)
				must(t, err)
				got = append(got, ds...)
				if next == "" {
					break
				}
				page.After = next
			}
			if len(got) != c.want {
				t.Fatalf("listed %d, want %d", len(got), c.want)
			}
			for i := 1; i < len(got); i++ {
				a, b := got[i-1].ClientID+"/"+got[i-1].DeploymentID, got[i].ClientID+"/"+got[i].DeploymentID
				if a >= b {
					t.Fatalf("not in order: %s then %s", a, b)
				}
			}
		})
	}
}

func TestListIncludesLatestStatus(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	_, err := m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
	must(t, err)
	st, raw := statusOf(t, helmID, document.StateInstalled, helmComponents...)
	must(t, m.ReportStatus(ctx, clientA, helmID, st, raw))
	ds, _, err := m.List(ctx, clientA, fleet.Page{})
	must(t, err)
	if len(ds) != 1 || ds[0].Status == nil || ds[0].Status.State != document.StateInstalled {
		t.Fatalf("list %+v", ds)
	}
}

func TestForgetDropsEverythingOfOneClient(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	for _, c := range []string{clientA, clientB} {
		_, err := m.Apply(ctx, c, fixture(t, "p1-helm.yaml"))
		must(t, err)
		_, err = m.Apply(ctx, c, fixture(t, "p1-helm-v2.yaml"))
		must(t, err)
		st, raw := statusOf(t, helmID, document.StateInstalled, helmComponents...)
		must(t, m.ReportStatus(ctx, c, helmID, st, raw))
	}
	must(t, m.Forget(ctx, clientA))
	must(t, m.Forget(ctx, clientA)) // idempotent
	p, err := m.base.Store.List(ctx, "deploy/", stateAll)
	must(t, err)
	for _, e := range p.Entries {
		if containsClient(e.Key, clientA) {
			t.Fatalf("key %s survived Forget", e.Key)
		}
	}
	_, err = m.Deployment(ctx, clientA, helmID)
	wantFault(t, err, fault.NotFound, document.ProblemDeploymentNotFound)
	if _, err := m.Deployment(ctx, clientB, helmID); err != nil {
		t.Fatalf("Forget of A touched B: %v", err)
	}
}

// containsClient reports whether key belongs to client.
func containsClient(key, client string) bool {
	for _, p := range []string{prefixRec, prefixYAML, prefixBundle, prefixStatus} {
		if strings.HasPrefix(key, p+client+"/") {
			return true
		}
	}
	return key == manifestKey(client)
}
