package deployment

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/cadenza-edge/cadenza/margo/document"
)

func TestVersionsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wfm.db")
	y := fixture(t, "p1-helm.yaml")

	store := openBolt(t, path)
	m := newManager(t, store, "")
	first := version(t, m, clientA)
	_, err := m.Apply(ctx, clientA, y)
	must(t, err)
	_, err = m.Apply(ctx, clientA, fixture(t, "p1-helm-v2.yaml"))
	must(t, err)
	before, err := m.Manifest(ctx, clientA)
	must(t, err)
	must(t, store.Close(ctx))

	store = openBolt(t, path)
	m = newManager(t, store, "")
	after, err := m.Manifest(ctx, clientA)
	must(t, err)
	if after.Version != before.Version || after.ETag != before.ETag || !bytes.Equal(after.Body, before.Body) {
		t.Fatalf("after restart version %d etag %s, before %d %s", after.Version, after.ETag, before.Version, before.ETag)
	}
	if first != 1 || before.Version != 3 {
		t.Fatalf("versions %d then %d", first, before.Version)
	}
	// Older revisions are still served after the restart.
	served, err := m.DeploymentYAML(ctx, clientA, helmID, document.DigestOf(y))
	must(t, err)
	if !bytes.Equal(served, y) {
		t.Fatal("old revision changed across restart")
	}
	must(t, m.Remove(ctx, clientA, helmID))
	if v := version(t, m, clientA); v <= before.Version {
		t.Fatalf("next change got version %d, not above %d", v, before.Version)
	}
}

func TestFirstManifestSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wfm.db")
	store := openBolt(t, path)
	m := newManager(t, store, "")
	v1, err := m.Manifest(ctx, clientA)
	must(t, err)
	must(t, store.Close(ctx))
	m = newManager(t, openBolt(t, path), "")
	v2, err := m.Manifest(ctx, clientA)
	must(t, err)
	if v1.ETag != v2.ETag || v2.Version != 1 {
		t.Fatalf("first manifest changed across restart: %+v vs %+v", v1, v2)
	}
}
