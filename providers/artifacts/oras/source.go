package oras

import (
	"context"
	"errors"
	"fmt"
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
		if root := p.cfg.Registries[r.ref.Registry].Layout; root != "" {
			sub := filepath.FromSlash(r.ref.Repository)
			if !filepath.IsLocal(sub) {
				return nil, fault.New(fault.BadRequest, "repository %q cannot be read from a layout directory", r.ref.Repository)
			}
			return openLayout(ctx, fmt.Sprintf("registry %s (layout)", r.ref.Registry), root, sub)
		}
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
	return openLayout(ctx, fmt.Sprintf("OCI layout %q", r.layout), root, r.sub)
}

// openLayout opens the OCI layout at root/sub; what names it in errors.
func openLayout(ctx context.Context, what, root, sub string) (source, error) {
	if _, err := os.Stat(root); err != nil {
		return nil, permanent(fault.Wrap(err, fault.Unavailable, "%s: directory %q is not readable", what, root))
	}
	dir := filepath.Join(root, sub)
	store, err := oci.NewFromFS(ctx, os.DirFS(dir))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fault.Wrap(err, fault.NotFound, "%s has no %q", what, sub)
	case err != nil:
		return nil, permanent(fault.Wrap(err, fault.Unavailable, "%s: %q is not a readable OCI layout", what, dir))
	}
	return layoutSource{store: store}, nil
}
