package testserver

import (
	"context"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// TestArtifactType is the artifactType of the manifests Push writes.
const TestArtifactType = "application/vnd.cadenza.test.artifact.v1"

// Layer is one layer of a pushed test artifact.
type Layer struct {
	MediaType   string
	Data        []byte
	Annotations map[string]string
}

// Pushed describes a pushed artifact.
type Pushed struct {
	Digest string   // the manifest digest
	Layers []string // the layer digests, in order
}

// Push pushes data as a single-layer artifact (OCI image manifest 1.1, empty
// config) to ref, "REPO:TAG" on this registry, and returns the manifest
// digest. It fails the test on any error.
func (s *RegistryServer) Push(t testing.TB, ref, mediaType string, data []byte) string {
	t.Helper()
	return s.PushArtifact(t, ref, []Layer{{MediaType: mediaType, Data: data}}, nil).Digest
}

// PushArtifact pushes an artifact of the given layers, with annotations on
// its manifest, to ref ("REPO:TAG" or "REPO" for an untagged push).
func (s *RegistryServer) PushArtifact(t testing.TB, ref string, layers []Layer, annotations map[string]string) Pushed {
	t.Helper()
	repoName, tag, _ := strings.Cut(ref, ":")
	repo, err := remote.NewRepository(s.Host + "/" + repoName)
	if err != nil {
		t.Fatalf("testserver: Push %q: %v", ref, err)
	}
	repo.PlainHTTP = !s.opts.TLS
	client := &auth.Client{Client: s.Client(), Cache: auth.NewCache()}
	if s.Username != "" {
		client.Credential = auth.StaticCredential(s.Host, auth.Credential{Username: s.Username, Password: s.Password})
	}
	repo.Client = client
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var out Pushed
	descs := make([]ocispec.Descriptor, len(layers))
	for i, l := range layers {
		d, err := oras.PushBytes(ctx, repo, l.MediaType, l.Data)
		if err != nil {
			t.Fatalf("testserver: Push %q: layer %d: %v", ref, i, err)
		}
		d.Annotations = l.Annotations
		descs[i] = d
		out.Layers = append(out.Layers, d.Digest.String())
	}
	manifest, err := oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, TestArtifactType,
		oras.PackManifestOptions{Layers: descs, ManifestAnnotations: annotations})
	if err != nil {
		t.Fatalf("testserver: Push %q: manifest: %v", ref, err)
	}
	if tag != "" {
		if err := repo.Tag(ctx, manifest, tag); err != nil {
			t.Fatalf("testserver: Push %q: tag: %v", ref, err)
		}
	}
	out.Digest = manifest.Digest.String()
	return out
}
