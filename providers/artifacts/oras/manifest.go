package oras

import (
	"context"
	"encoding/json"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// maxManifestSize is the largest manifest a pull reads.
const maxManifestSize = 4 << 20

// Manifest media types this puller understands besides the OCI ones.
const (
	dockerManifest     = "application/vnd.docker.distribution.manifest.v2+json"
	dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
)

// manifest returns r's manifest, verified against its digest: from the
// cache when r names a digest that is cached, else from src (and then
// cached).
func (p *Puller) manifest(ctx context.Context, src source, r reference) (ocispec.Descriptor, ocispec.Manifest, error) {
	want, byDigest := r.digest()
	if byDigest {
		if data, ok := p.cache.readManifest(want); ok {
			return decodeManifest(ocispec.Descriptor{Digest: want, Size: int64(len(data))}, data)
		}
	}
	desc, rc, err := src.manifest(ctx, r.ref.Reference)
	if err != nil {
		return desc, ocispec.Manifest{}, err
	}
	defer rc.Close()
	switch {
	case byDigest && desc.Digest != want:
		return desc, ocispec.Manifest{}, fault.New(fault.Unprocessable, "%s answered manifest %s for %s", r.host(), desc.Digest, want)
	case desc.Size < 0 || desc.Size > maxManifestSize:
		return desc, ocispec.Manifest{}, fault.New(fault.Unprocessable, "the manifest of %s has %d bytes (at most %d accepted)", r.ref.Reference, desc.Size, maxManifestSize)
	case desc.Digest.Validate() != nil:
		return desc, ocispec.Manifest{}, fault.New(fault.Unprocessable, "%s answered a malformed manifest digest %q", r.host(), desc.Digest)
	}
	data, err := content.ReadAll(rc, desc)
	if err != nil {
		return desc, ocispec.Manifest{}, err
	}
	desc, m, err := decodeManifest(desc, data)
	if err != nil {
		return desc, m, err
	}
	if err := p.cache.writeManifest(desc.Digest, data); err != nil {
		p.log.Warn("cannot cache a manifest", "digest", desc.Digest, "err", err)
	}
	return desc, m, nil
}

// decodeManifest parses a verified image manifest (OCI or Docker schema 2)
// and checks its layer descriptors; indexes and other types are
// Unprocessable.
func decodeManifest(desc ocispec.Descriptor, data []byte) (ocispec.Descriptor, ocispec.Manifest, error) {
	var m struct {
		ocispec.Manifest
		Manifests json.RawMessage `json:"manifests"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return desc, ocispec.Manifest{}, fault.Wrap(err, fault.Unprocessable, "manifest %s is not valid JSON", desc.Digest)
	}
	mt := m.MediaType
	if mt == "" {
		mt = desc.MediaType
	}
	switch {
	case mt == ocispec.MediaTypeImageIndex || mt == dockerManifestList || m.Manifests != nil:
		return desc, ocispec.Manifest{}, fault.New(fault.Unprocessable,
			"%s is an index (several manifests, e.g. one per platform); pull one of its manifests by digest", desc.Digest)
	case mt == ocispec.MediaTypeImageManifest || mt == dockerManifest || (mt == "" && m.Config.MediaType != ""):
	default:
		return desc, ocispec.Manifest{}, fault.New(fault.Unprocessable, "%s has the unsupported manifest media type %q", desc.Digest, mt)
	}
	for i, l := range m.Layers {
		if l.Digest.Validate() != nil || l.Size < 0 {
			return desc, ocispec.Manifest{}, fault.New(fault.Unprocessable, "manifest %s: layer %d has a malformed digest %q or size %d", desc.Digest, i, l.Digest, l.Size)
		}
	}
	desc.MediaType = mt
	return desc, m.Manifest, nil
}
