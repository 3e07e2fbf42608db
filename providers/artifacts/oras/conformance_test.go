package oras

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/artifacts/artifactstest"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// kitFixture pushes the kit's artifacts to reg and returns the fixture,
// with references through p (which counts blob downloads).
func kitFixture(t *testing.T, reg *testserver.RegistryServer, p *proxy) artifactstest.Fixture {
	t.Helper()
	content := []byte("a small chart-like archive for the artifacts kit\n")
	title := map[string]string{"org.opencontainers.image.title": "app.tgz"}
	good := reg.PushArtifact(t, "kit/app:1.0", []testserver.Layer{{MediaType: testMediaType, Data: content, Annotations: title}},
		map[string]string{"org.opencontainers.image.version": "1.0"})

	bad := reg.PushArtifact(t, "kit/bad:1.0", []testserver.Layer{{MediaType: testMediaType, Data: []byte("the pushed bytes")}}, nil)
	// Same size, other bytes: the registry serves it with the right
	// length and Docker-Content-Digest; only a digest check notices.
	if err := os.WriteFile(reg.BlobPath(bad.Layers[0]), []byte("tampered bytes!!"), 0o600); err != nil {
		t.Fatal(err)
	}
	return artifactstest.Fixture{
		Tag:         "oci://" + p.Host + "/kit/app:1.0",
		ByDigest:    p.Host + "/kit/app@" + good.Digest,
		Digest:      good.Digest,
		MediaType:   testMediaType,
		Content:     content,
		Annotations: map[string]string{"org.opencontainers.image.title": "app.tgz", "org.opencontainers.image.version": "1.0"},
		Missing:     "oci://" + p.Host + "/kit/absent:1.0",
		Tampered:    "oci://" + p.Host + "/kit/bad:1.0",
		BlobFetches: p.blobFetches.Load,
	}
}

// TestConformanceOrasPlainHTTP runs the kit against a real registry,
// through a counting proxy, over plain HTTP (configured).
func TestConformanceOrasPlainHTTP(t *testing.T) {
	reg := testserver.Registry(t)
	p := newProxy(t, reg)
	fx := kitFixture(t, reg, p)
	artifactstest.Run(t, func(t *testing.T) artifacts.Puller { return newTestPuller(t, plain(p.Host)) }, fx)
}

// TestConformanceOrasTLS runs the kit against a registry serving HTTPS
// with a certificate from a private CA, trusted through registries.ca.
func TestConformanceOrasTLS(t *testing.T) {
	reg := testserver.StartRegistry(t, testserver.RegistryOptions{TLS: true})
	content := []byte("over TLS\n")
	d := reg.Push(t, "kit/app:1.0", testMediaType, content)
	bad := reg.PushArtifact(t, "kit/bad:1.0", []testserver.Layer{{MediaType: testMediaType, Data: []byte("pushed")}}, nil)
	if err := os.WriteFile(reg.BlobPath(bad.Layers[0]), []byte("PUSHED"), 0o600); err != nil {
		t.Fatal(err)
	}
	fx := artifactstest.Fixture{
		Tag: reg.Ref("kit/app:1.0"), ByDigest: reg.Ref("kit/app@" + d), Digest: d, MediaType: testMediaType,
		Content: content, Missing: reg.Ref("nothing/here:1.0"), Tampered: reg.Ref("kit/bad:1.0"),
	}
	artifactstest.Run(t, func(t *testing.T) artifacts.Puller {
		return newTestPuller(t, func(c *Config) { c.Registries = map[string]Registry{reg.Host: {CA: reg.CAFile}} })
	}, fx)
}

// The tampered blob is never left in the cache, not even as a temporary
// file.
func TestTamperedBlobLeavesNothingBehind(t *testing.T) {
	reg := testserver.Registry(t)
	pushed := reg.PushArtifact(t, "t/bad:1", []testserver.Layer{{MediaType: testMediaType, Data: bytes.Repeat([]byte("x"), 3<<20)}}, nil)
	if err := os.WriteFile(reg.BlobPath(pushed.Layers[0]), bytes.Repeat([]byte("y"), 3<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	pl := newTestPuller(t, plain(reg.Host))
	_, err := pl.Pull(t.Context(), reg.Ref("t/bad:1"), artifacts.PullOptions{})
	wantCode(t, err, "unprocessable", pushed.Layers[0], "does not match its digest")
	entries, _ := os.ReadDir(pl.cache.tmp)
	if len(entries) != 0 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	hex := strings.TrimPrefix(pushed.Layers[0], "sha256:")
	if _, err := os.Stat(pl.cache.dir + "/blobs/sha256/" + hex); err == nil {
		t.Fatal("the tampered blob is in the cache")
	}
}
