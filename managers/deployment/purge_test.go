package deployment

import (
	"bytes"
	"context"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

func TestPurgeForgetsALiveOrRemovedDeploymentNow(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	y := fixture(t, "p1-helm.yaml")
	d, err := m.Apply(ctx, clientA, y)
	must(t, err)
	got, err := m.Document(ctx, clientA, d.DeploymentID)
	must(t, err)
	if !bytes.Equal(got, y) {
		t.Fatalf("Document returned other bytes than applied")
	}
	st, raw := statusOf(t, helmID, "installed", helmComponents...)
	must(t, m.ReportStatus(ctx, clientA, helmID, st, raw))
	before := version(t, m, clientA)

	must(t, m.Purge(ctx, clientA, helmID))
	if v := version(t, m, clientA); v != before+1 {
		t.Errorf("manifest version %d after purging a live deployment, want %d", v, before+1)
	}
	wantFault(t, func() error { _, err := m.Deployment(ctx, clientA, helmID); return err }(), fault.NotFound, "")
	wantFault(t, func() error { _, err := m.Document(ctx, clientA, helmID); return err }(), fault.NotFound, "")
	wantFault(t, m.Purge(ctx, clientA, helmID), fault.NotFound, "")

	// A tombstone (removed, never reported removed) is purged without a new manifest.
	_, err = m.Apply(ctx, clientA, y)
	must(t, err)
	must(t, m.Remove(ctx, clientA, helmID))
	before = version(t, m, clientA)
	must(t, m.Purge(ctx, clientA, helmID))
	if v := version(t, m, clientA); v != before {
		t.Errorf("purging a tombstone changed the manifest version to %d", v)
	}
	if _, err := m.Statuses(ctx, clientA, helmID, 0); !fault.Is(err, fault.NotFound) {
		t.Errorf("statuses of a purged deployment: %v", err)
	}
}
