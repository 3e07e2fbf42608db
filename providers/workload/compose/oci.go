package compose

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// Media types of compose packages stored as OCI artifacts.
const (
	// ArtifactType is the artifactType of a compose package's manifest
	// (Margo's "Compose the OCI way" proposal, SUP-01).
	ArtifactType = "application/vnd.org.margo.component.compose+json"
	// MediaTypeArchive is a tar.gz compose archive layer (SUP-01).
	MediaTypeArchive = "application/vnd.org.margo.component.compose.tar+gzip"
	// MediaTypeComposeFile is a single compose file layer, as
	// "docker compose publish" writes it.
	MediaTypeComposeFile = "application/vnd.docker.compose.file+yaml"
	// MediaTypeSignature is the layer holding the detached PGP signature of
	// the package layer (armored or binary), in the same manifest.
	MediaTypeSignature = "application/pgp-signature"
)

// OCIMediaTypes are the content-layer media types an oci:// package may
// have unless the config's ociMediaTypes says otherwise: a compose archive
// or file, or a generic gzip layer (e.g. "oras push app.tar.gz:<that type>").
// Exactly one layer of the manifest must have one of them.
var OCIMediaTypes = []string{MediaTypeArchive, MediaTypeComposeFile, ocispec.MediaTypeImageLayerGzip}

// ErrNoArtifacts is the cause of the failure of an oci:// package on a
// provider whose "artifacts" role is not bound (errors.Is works; the error
// is coded fault.BadRequest).
var ErrNoArtifacts = errors.New(`no artifacts provider: bind the "artifacts" role of workload.compose to an artifacts.oras provider in the agent config`)

// isOCI reports whether location is an oci:// reference.
func isOCI(location string) bool {
	return len(location) >= len("oci://") && strings.EqualFold(location[:len("oci://")], "oci://")
}

// ociRef is the reference of c's oci:// package: Repository with Revision
// as its tag ("+" written "_", as OCI tags cannot hold "+"). A Repository
// that already names a tag or a digest (a P1 packageLocation) is used as
// it is.
func ociRef(c workload.Component) (string, error) {
	rest := c.Repository[len("oci://"):]
	slash := strings.Index(rest, "/")
	if slash <= 0 || slash == len(rest)-1 {
		return "", fault.New(fault.BadRequest, "package location %q: want oci://HOST/REPOSITORY with a revision, or oci://HOST/REPOSITORY:TAG", c.Repository)
	}
	if strings.Contains(rest, "@") || strings.Contains(rest[strings.LastIndex(rest, "/")+1:], ":") {
		return "oci://" + rest, nil
	}
	if c.Revision == "" {
		return "", fault.New(fault.BadRequest, "component %q: oci:// repository %q names no tag or digest, and the component has no revision", c.Name, c.Repository)
	}
	return "oci://" + rest + ":" + strings.ReplaceAll(c.Revision, "+", "_"), nil
}

// digestRef is ref with its tag or digest replaced by digest.
func digestRef(ref, digest string) string {
	repo := ref
	if at := strings.Index(repo, "@"); at >= 0 {
		repo = repo[:at]
	} else if colon := strings.LastIndex(repo, ":"); colon > strings.LastIndex(repo, "/") {
		repo = repo[:colon]
	}
	return repo + "@" + digest
}

// pull fetches c's oci:// package through the artifacts provider (digests
// verified by it), checking its signature when c names a key.
func (p *Provider) pull(ctx context.Context, c workload.Component, ev *eventWriter, log *slog.Logger) ([]byte, error) {
	if p.puller == nil {
		return nil, fault.Wrap(ErrNoArtifacts, fault.BadRequest, "package location %q is an OCI artifact", c.Repository)
	}
	ref, err := ociRef(c)
	if err != nil {
		return nil, err
	}
	mediaTypes := p.cfg.OCIMediaTypes
	if len(mediaTypes) == 0 {
		mediaTypes = OCIMediaTypes
	}
	ev.emit("pulling "+ref, 0, 0)
	a, err := p.puller.Pull(ctx, ref, artifacts.PullOptions{
		MediaTypes: mediaTypes,
		Progress: func(e artifacts.Event) {
			ev.emit("pulling "+ref+": "+e.Message, e.Done, e.Total)
		},
	})
	if err != nil {
		return nil, fault.Wrap(err, fault.CodeOf(err), "pull compose package %s", ref)
	}
	log.Info("compose package pulled", "ref", ref, "digest", a.Digest, "layer", a.LayerDigest,
		"mediaType", a.MediaType, "size", a.Size, "cached", a.Cached)
	pkg, err := p.readArtifact(a, ref)
	if err != nil {
		return nil, err
	}
	if c.KeyLocation == "" {
		return pkg, nil
	}
	ev.emit("verifying the package signature", 0, 0)
	sigRef := digestRef(ref, a.Digest)
	s, err := p.puller.Pull(ctx, sigRef, artifacts.PullOptions{MediaTypes: []string{MediaTypeSignature}})
	if err != nil {
		return nil, fault.Wrap(err, fault.CodeOf(err), "package %s is signed by a layer of type %s in its manifest", ref, MediaTypeSignature)
	}
	sig, err := p.readArtifact(s, sigRef)
	if err != nil {
		return nil, err
	}
	if err := p.checkSignature(ctx, pkg, sig, ref, c.KeyLocation); err != nil {
		return nil, err
	}
	log.Info("compose package signature verified", "ref", ref, "key", c.KeyLocation)
	return pkg, nil
}

// readArtifact reads a pulled layer from the artifacts cache, within
// maxPackageSize.
func (p *Provider) readArtifact(a *artifacts.Artifact, ref string) ([]byte, error) {
	if a.Size > p.cfg.MaxPackageSize {
		return nil, fault.New(fault.TooLarge, "%s has %d bytes, more than maxPackageSize (%d bytes)", ref, a.Size, p.cfg.MaxPackageSize)
	}
	f, err := os.Open(a.Path)
	if err != nil {
		return nil, fault.Wrap(err, fault.Unavailable, "read the pulled layer of %s", ref)
	}
	defer f.Close()
	return p.readLimited(f, ref)
}

// Publish stores a compose package in target (an oras-go target: a
// registry repository, remote.Repository, or an OCI layout, oci.Store) as
// the artifact this provider pulls, tagged tag: an OCI 1.1 image manifest
// of artifactType ArtifactType, an empty config, the package as its one
// content layer (MediaTypeArchive when pkg is gzip data, else
// MediaTypeComposeFile) and, when signature is not empty, the package's
// detached PGP signature as a MediaTypeSignature layer. It returns the
// manifest's descriptor.
func Publish(ctx context.Context, target oras.Target, tag string, pkg, signature []byte) (ocispec.Descriptor, error) {
	mediaType, title := MediaTypeComposeFile, "compose.yaml"
	if bytes.HasPrefix(pkg, []byte{0x1f, 0x8b}) {
		mediaType, title = MediaTypeArchive, "compose.tar.gz"
	}
	layer, err := pushBytes(ctx, target, mediaType, pkg)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("push the package layer: %w", err)
	}
	layer.Annotations = map[string]string{ocispec.AnnotationTitle: title}
	layers := []ocispec.Descriptor{layer}
	if len(signature) > 0 {
		sig, err := pushBytes(ctx, target, MediaTypeSignature, signature)
		if err != nil {
			return ocispec.Descriptor{}, fmt.Errorf("push the signature layer: %w", err)
		}
		sig.Annotations = map[string]string{ocispec.AnnotationTitle: title + ".asc"}
		layers = append(layers, sig)
	}
	m, err := oras.PackManifest(ctx, target, oras.PackManifestVersion1_1, ArtifactType, oras.PackManifestOptions{Layers: layers})
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("push the manifest: %w", err)
	}
	if err := target.Tag(ctx, m, tag); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("tag %s: %w", tag, err)
	}
	return m, nil
}

// pushBytes pushes data as a blob unless target has it already.
func pushBytes(ctx context.Context, target oras.Target, mediaType string, data []byte) (ocispec.Descriptor, error) {
	desc := content.NewDescriptorFromBytes(mediaType, data)
	if err := target.Push(ctx, desc, bytes.NewReader(data)); err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		return ocispec.Descriptor{}, err
	}
	return desc, nil
}
