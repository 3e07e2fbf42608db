package deployment

import (
	"bytes"
	"context"
	"testing"

	"github.com/cadenza-edge/cadenza/margo/bundle"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestManifestFirstIsVersionOneEmptyAndPersisted(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	m := newManager(t, store, "")
	v, err := m.Manifest(ctx, clientA)
	must(t, err)
	const want = `{"bundle":null,"deployments":[],"manifestVersion":1}`
	if string(v.Body) != want || v.Version != 1 {
		t.Fatalf("got version %d body %s, want 1 %s", v.Version, v.Body, want)
	}
	if v.ETag != `"`+document.DigestOf([]byte(want))+`"` {
		t.Fatalf("ETag %s is not the quoted digest of the body", v.ETag)
	}
	if _, err := store.Get(ctx, manifestKey(clientA)); err != nil {
		t.Fatalf("first manifest not persisted: %v", err)
	}
	again, err := m.Manifest(ctx, clientA)
	must(t, err)
	if again.ETag != v.ETag || again.Version != 1 {
		t.Fatalf("second read differs: %+v", again)
	}
}

func TestManifestApplyWritesDigestsURLsAndBundle(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	_ = version(t, m, clientA)
	y := fixture(t, "p1-helm.yaml")
	d, err := m.Apply(ctx, clientA, y)
	must(t, err)
	if d.DeploymentID != helmID || d.Digest != document.DigestOf(y) || d.SizeBytes != uint64(len(y)) {
		t.Fatalf("deployment %+v", d)
	}
	v, err := m.Manifest(ctx, clientA)
	must(t, err)
	if v.Version != 2 || v.ETag != `"`+document.DigestOf(v.Body)+`"` {
		t.Fatalf("version %d etag %s", v.Version, v.ETag)
	}
	mf := manifestOf(t, v.Body)
	if len(mf.Deployments) != 1 || mf.Bundle == nil {
		t.Fatalf("manifest %s", v.Body)
	}
	ref := mf.Deployments[0]
	wantURL := "/api/v1/clients/" + clientA + "/deployments/" + helmID + "/" + document.DigestOf(y)
	if ref.DeploymentID != helmID || ref.Digest != document.DigestOf(y) || ref.URL != wantURL {
		t.Fatalf("deployment ref %+v, want url %s", ref, wantURL)
	}
	if mf.Bundle.MediaType != document.BundleMediaType || mf.Bundle.URL != "/api/v1/clients/"+clientA+"/bundles/"+mf.Bundle.Digest {
		t.Fatalf("bundle ref %+v", mf.Bundle)
	}
	served, err := m.DeploymentYAML(ctx, clientA, helmID, ref.Digest)
	must(t, err)
	if !bytes.Equal(served, y) {
		t.Fatal("served YAML differs from the applied bytes")
	}
	b, err := m.Bundle(ctx, clientA, mf.Bundle.Digest)
	must(t, err)
	entries, err := bundle.Read(b, mf.Bundle.Digest, bundle.Limits{})
	must(t, err)
	if len(entries) != 1 || entries[0].Name != bundle.EntryName(helmID) || !bytes.Equal(entries[0].Data, y) {
		t.Fatalf("bundle entries %+v", entries)
	}
}

func TestManifestVersionRules(t *testing.T) {
	y1, y2, c := fixture(t, "p1-helm.yaml"), fixture(t, "p1-helm-v2.yaml"), fixture(t, "p1-compose.yaml")
	type step struct {
		name       string
		do         func(ctx context.Context, m *Manager) error
		want       uint64
		wantBundle bool
		wantIDs    int
	}
	apply := func(y []byte) func(ctx context.Context, m *Manager) error {
		return func(ctx context.Context, m *Manager) error { _, err := m.Apply(ctx, clientA, y); return err }
	}
	remove := func(id string) func(ctx context.Context, m *Manager) error {
		return func(ctx context.Context, m *Manager) error { return m.Remove(ctx, clientA, id) }
	}
	steps := []step{
		{"apply before the first read counts from version 1", apply(y1), 2, true, 1},
		{"identical re-apply keeps the version", apply(y1), 2, true, 1},
		{"changed content bumps", apply(y2), 3, true, 1},
		{"second deployment bumps", apply(c), 4, true, 2},
		{"revert to older content bumps", apply(y1), 5, true, 2},
		{"remove bumps", remove(helmID), 6, true, 1},
		{"re-apply after remove bumps", apply(y1), 7, true, 2},
		{"remove again bumps", remove(helmID), 8, true, 1},
		{"remove of the last one bumps and nulls the bundle", remove(composeID), 9, false, 0},
		{"re-apply of removed identical content bumps", apply(c), 10, true, 1},
	}
	ctx := context.Background()
	m := newMemory(t, "")
	for _, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			must(t, s.do(ctx, m))
			v, err := m.Manifest(ctx, clientA)
			must(t, err)
			mf := manifestOf(t, v.Body)
			if v.Version != s.want || mf.ManifestVersion != s.want || (mf.Bundle != nil) != s.wantBundle || len(mf.Deployments) != s.wantIDs {
				t.Fatalf("got version %d, bundle %v, %d deployments; want %d, %v, %d", v.Version, mf.Bundle != nil, len(mf.Deployments), s.want, s.wantBundle, s.wantIDs)
			}
		})
		if !ok {
			break // later steps build on this one
		}
	}
}

func TestManifestURLPrefixFromConfig(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, `{"urlPrefix": "/v1alpha2/margo"}`)
	_, err := m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
	must(t, err)
	v, err := m.Manifest(ctx, clientA)
	must(t, err)
	mf := manifestOf(t, v.Body)
	if !bytes.HasPrefix([]byte(mf.Deployments[0].URL), []byte("/v1alpha2/margo/clients/")) ||
		!bytes.HasPrefix([]byte(mf.Bundle.URL), []byte("/v1alpha2/margo/clients/")) {
		t.Fatalf("urls %s", v.Body)
	}
}

func TestManifestClientsAreIndependent(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	_, err := m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
	must(t, err)
	if got := version(t, m, clientB); got != 1 {
		t.Fatalf("client B at version %d", got)
	}
	if _, err := m.DeploymentYAML(ctx, clientB, helmID, document.DigestOf(fixture(t, "p1-helm.yaml"))); err == nil {
		t.Fatal("client B can read client A's YAML")
	}
}
