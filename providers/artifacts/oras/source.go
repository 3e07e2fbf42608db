package oras

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content/oci"
	"oras.land/oras-go/v2/registry/remote"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// source is where a pull reads manifests and blobs: a registry repository
// or a local OCI layout. Errors are raw (classify codes them).
type source interface {
	// manifest resolves reference (a tag or a digest) and opens its manifest.
	manifest(ctx context.Context, reference string) (ocispec.Descriptor, io.ReadCloser, error)
	// blob opens the blob desc describes.
	blob(ctx context.Context, desc ocispec.Descriptor) (io.ReadCloser, error)
}

// repoSource reads from a registry repository.
type repoSource struct{ repo *remote.Repository }

func (s repoSource) manifest(ctx context.Context, reference string) (ocispec.Descriptor, io.ReadCloser, error) {
	return s.repo.Manifests().FetchReference(ctx, reference)
}

func (s repoSource) blob(ctx context.Context, desc ocispec.Descriptor) (io.ReadCloser, error) {
	return s.repo.Blobs().Fetch(ctx, desc)
}

// layoutSource reads from an OCI layout directory, opened per pull so that
// artifacts copied into it later are seen.
type layoutSource struct{ store *oci.ReadOnlyStore }

func (s layoutSource) manifest(ctx context.Context, reference string) (ocispec.Descriptor, io.ReadCloser, error) {
	desc, err := s.store.Resolve(ctx, reference)
	if err != nil {
		return desc, nil, err
	}
	rc, err := s.store.Fetch(ctx, desc)
	return desc, rc, err
}

func (s layoutSource) blob(ctx context.Context, desc ocispec.Descriptor) (io.ReadCloser, error) {
	return s.store.Fetch(ctx, desc)
}

// source opens where r is pulled from.
func (p *Puller) source(ctx context.Context, r reference) (source, error) {
	if r.layout == "" {
		repo, err := p.remotes.repository(r.ref)
		if err != nil {
			return nil, permanent(fault.Wrap(err, fault.Unavailable, "registry %s", r.ref.Registry))
		}
		return repoSource{repo: repo}, nil
	}
	root, ok := p.cfg.Layouts[r.layout]
	if !ok {
		return nil, fault.New(fault.BadRequest, "no OCI layout named %q is configured (layouts)", r.layout)
	}
	if _, err := os.Stat(root); err != nil {
		return nil, permanent(fault.Wrap(err, fault.Unavailable, "OCI layout %q: directory %q is not readable", r.layout, root))
	}
	dir := filepath.Join(root, r.sub)
	store, err := oci.NewFromFS(ctx, os.DirFS(dir))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fault.Wrap(err, fault.NotFound, "OCI layout %q has no %q", r.layout, r.sub)
	case err != nil:
		return nil, permanent(fault.Wrap(err, fault.Unavailable, "OCI layout %q: %q is not a readable OCI layout", r.layout, dir))
	}
	return layoutSource{store: store}, nil
}
