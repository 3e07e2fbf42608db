package deployment

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

func TestReportStatusUnknownDeploymentIsNotFound(t *testing.T) {
	m := newMemory(t, "")
	st, raw := statusOf(t, helmID, document.StateInstalled, helmComponents...)
	err := m.ReportStatus(context.Background(), clientA, helmID, st, raw)
	wantFault(t, err, fault.NotFound, document.ProblemDeploymentNotFound)
}

func TestReportStatusMismatchIsUnprocessable(t *testing.T) {
	cases := []struct {
		name       string
		id         string
		components []string
		fields     []string
	}{
		{"missing component", helmID, helmComponents[:1], []string{"components"}},
		{"unknown component", helmID, append([]string{"extra"}, helmComponents...), []string{"components[0].name"}},
		{"missing and unknown", helmID, []string{"extra"}, []string{"components", "components", "components[0].name"}},
		{"body id differs from path", composeID, helmComponents, []string{"deploymentId"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			m := newMemory(t, "")
			_, err := m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
			must(t, err)
			st, raw := statusOf(t, c.id, document.StateInstalling, c.components...)
			fe := wantFault(t, m.ReportStatus(ctx, clientA, helmID, st, raw), fault.Unprocessable, document.ProblemSemanticError)
			var got []string
			for _, v := range fe.Violations {
				got = append(got, v.Field)
			}
			if len(got) != len(c.fields) {
				t.Fatalf("violations %+v, want fields %v", fe.Violations, c.fields)
			}
			for i := range got {
				if got[i] != c.fields[i] {
					t.Fatalf("violations %+v, want fields %v", fe.Violations, c.fields)
				}
			}
		})
	}
}

func TestReportStatusStoresLatestAndBoundedHistory(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, `{"statusHistory": 3}`)
	_, err := m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
	must(t, err)
	states := []document.State{document.StatePending, document.StateInstalling, document.StateFailed, document.StateInstalling, document.StateInstalled}
	for _, s := range states {
		st, raw := statusOf(t, helmID, s, helmComponents...)
		must(t, m.ReportStatus(ctx, clientA, helmID, st, raw))
	}
	d, err := m.Deployment(ctx, clientA, helmID)
	must(t, err)
	if d.Status == nil || d.Status.State != document.StateInstalled {
		t.Fatalf("latest status %+v", d.Status)
	}
	var report document.DeploymentStatusManifest
	must(t, json.Unmarshal(d.Status.Report, &report))
	if report.DeploymentID != helmID || len(report.Components) != 2 {
		t.Fatalf("stored report %s", d.Status.Report)
	}
	all, err := m.Statuses(ctx, clientA, helmID, 0)
	must(t, err)
	want := []document.State{document.StateInstalled, document.StateInstalling, document.StateFailed}
	if len(all) != len(want) {
		t.Fatalf("history has %d reports, want %d", len(all), len(want))
	}
	for i, s := range want {
		if all[i].State != s {
			t.Fatalf("history[%d] = %s, want %s (newest first)", i, all[i].State, s)
		}
	}
	two, err := m.Statuses(ctx, clientA, helmID, 2)
	must(t, err)
	if len(two) != 2 {
		t.Fatalf("limit 2 gave %d", len(two))
	}
}

func TestReportStatusCompactsTheRawReport(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	_, err := m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
	must(t, err)
	st, raw := statusOf(t, helmID, document.StateInstalled, helmComponents...)
	must(t, m.ReportStatus(ctx, clientA, helmID, st, raw))
	got, err := m.Statuses(ctx, clientA, helmID, 1)
	must(t, err)
	want, _ := json.Marshal(st)
	if string(got[0].Report) != string(want) {
		t.Fatalf("report %s, want %s", got[0].Report, want)
	}
}

func TestRemovedReportAfterTombstoneCleansUp(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	y := fixture(t, "p1-helm.yaml")
	_, err := m.Apply(ctx, clientA, y)
	must(t, err)
	_, err = m.Apply(ctx, clientA, fixture(t, "p1-helm-v2.yaml"))
	must(t, err)
	must(t, m.Remove(ctx, clientA, helmID))
	for _, s := range []document.State{document.StateRemoving, document.StateRemoved} {
		st, raw := statusOf(t, helmID, s, helmComponents...)
		must(t, m.ReportStatus(ctx, clientA, helmID, st, raw))
	}
	_, err = m.Deployment(ctx, clientA, helmID)
	wantFault(t, err, fault.NotFound, document.ProblemDeploymentNotFound)
	_, err = m.Statuses(ctx, clientA, helmID, 0)
	wantFault(t, err, fault.NotFound, document.ProblemDeploymentNotFound)
	_, err = m.DeploymentYAML(ctx, clientA, helmID, document.DigestOf(y))
	wantFault(t, err, fault.NotFound, document.ProblemDeploymentNotFound)
	for _, prefix := range []string{prefixRec, prefixYAML, prefixStatus} {
		p, err := m.base.Store.List(ctx, prefix, stateAll)
		must(t, err)
		if len(p.Entries) != 0 {
			t.Fatalf("%s still holds %d keys", prefix, len(p.Entries))
		}
	}
	st, raw := statusOf(t, helmID, document.StateRemoved, helmComponents...)
	wantFault(t, m.ReportStatus(ctx, clientA, helmID, st, raw), fault.NotFound, document.ProblemDeploymentNotFound)
}

func TestRemovedReportOfLiveDeploymentIsJustStored(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	_, err := m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
	must(t, err)
	st, raw := statusOf(t, helmID, document.StateRemoved, helmComponents...)
	must(t, m.ReportStatus(ctx, clientA, helmID, st, raw))
	d, err := m.Deployment(ctx, clientA, helmID)
	must(t, err)
	if d.Status == nil || d.Status.State != document.StateRemoved {
		t.Fatalf("status %+v", d.Status)
	}
}
