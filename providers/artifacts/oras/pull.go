package oras

import (
	"context"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/cenkalti/backoff/v5"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
)

// maxBackoff caps the delay between two tries.
const maxBackoff = 30 * time.Second

// Pull implements artifacts.Puller.
func (p *Puller) Pull(ctx context.Context, ref string, opts artifacts.PullOptions) (*artifacts.Artifact, error) {
	if p.cache == nil {
		return nil, fault.New(fault.Unavailable, "%s is not initialised", ID)
	}
	if err := ctx.Err(); err != nil {
		return nil, fault.Wrap(err, fault.CodeOf(err), "pull %s", ref)
	}
	r, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	timeout := p.cfg.Timeout.D()
	pctx, cancel := context.WithTimeoutCause(ctx, timeout,
		fault.New(fault.Unavailable, "pull of %s did not finish within %s (timeout)", ref, timeout))
	defer cancel()

	src, err := p.source(pctx, r)
	if err != nil {
		return nil, p.final(ctx, pctx, ref, err)
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = p.cfg.Backoff.D(), maxBackoff
	prog := &progress{ref: ref, fn: opts.Progress}
	start := time.Now()
	a, err := backoff.Retry(pctx, func() (*artifacts.Artifact, error) {
		a, err := p.pullOnce(pctx, src, r, ref, opts, prog)
		if err != nil && !retryable(err) {
			return nil, backoff.Permanent(err)
		}
		return a, err
	},
		backoff.WithBackOff(b),
		backoff.WithMaxTries(uint(p.cfg.Retries)+1),
		backoff.WithMaxElapsedTime(0), // the pull timeout bounds the tries
		backoff.WithNotify(func(err error, next time.Duration) {
			p.log.Warn("artifact pull failed; retrying", "ref", ref, "err", err, "retryIn", next)
		}))
	if err != nil {
		err = p.final(ctx, pctx, ref, err)
		p.log.Info("artifact pull failed", "ref", ref, "code", fault.CodeOf(err), "err", err)
		return nil, err
	}
	p.log.Debug("artifact pulled", "ref", ref, "digest", a.Digest, "size", a.Size, "cached", a.Cached, "took", time.Since(start))
	return a, nil
}

// final codes the error of a failed pull: the caller's context ending
// (Canceled or Timeout, wrapping ctx.Err()), the pull timeout
// (Unavailable), or err as classified.
func (p *Puller) final(ctx, pctx context.Context, ref string, err error) error {
	switch {
	case ctx.Err() != nil:
		return fault.Wrap(ctx.Err(), fault.CodeOf(ctx.Err()), "pull %s", ref)
	case pctx.Err() != nil:
		return context.Cause(pctx)
	}
	return err
}

// pullOnce is one try: manifest, layer choice, blob into the cache.
func (p *Puller) pullOnce(ctx context.Context, src source, r reference, ref string, opts artifacts.PullOptions, prog *progress) (*artifacts.Artifact, error) {
	reg := p.cfg.Registries[r.ref.Registry]
	mdesc, m, err := p.manifest(ctx, src, r)
	if err != nil {
		return nil, classify(err, r.host(), reg)
	}
	layer, err := pickLayer(ref, m.Layers, opts.MediaTypes)
	if err != nil {
		return nil, err
	}
	if layer.Size > p.cfg.MaxSize {
		return nil, fault.New(fault.TooLarge, "%s: the content layer has %d bytes, more than maxSize %d", ref, layer.Size, p.cfg.MaxSize)
	}
	prog.total = layer.Size
	open := func(ctx context.Context) (io.ReadCloser, error) { return src.blob(ctx, layer) }
	path, cached, err := p.cache.blob(ctx, layer, open, prog)
	if err != nil {
		return nil, classify(err, r.host(), reg)
	}
	annotations := maps.Clone(m.Annotations)
	if len(layer.Annotations) > 0 && annotations == nil {
		annotations = map[string]string{}
	}
	maps.Copy(annotations, layer.Annotations)
	return &artifacts.Artifact{
		Ref:         ref,
		Digest:      mdesc.Digest.String(),
		MediaType:   layer.MediaType,
		LayerDigest: layer.Digest.String(),
		Path:        path,
		Size:        layer.Size,
		Annotations: annotations,
		Cached:      cached,
	}, nil
}

// pickLayer returns the one layer the caller accepts.
func pickLayer(ref string, layers []ocispec.Descriptor, accept []string) (ocispec.Descriptor, error) {
	var found []ocispec.Descriptor
	for _, l := range layers {
		if len(accept) == 0 || slices.Contains(accept, l.MediaType) {
			found = append(found, l)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(accept) == 0:
		return ocispec.Descriptor{}, fault.New(fault.Unprocessable, "%s has %d layers; name the content's media type (MediaTypes) to choose one", ref, len(layers))
	case len(found) == 0:
		return ocispec.Descriptor{}, fault.New(fault.Unprocessable, "%s has no layer of media type %v (its layers: %v)", ref, accept, mediaTypes(layers))
	}
	return ocispec.Descriptor{}, fault.New(fault.Unprocessable, "%s has %d layers of media types %v; want exactly one", ref, len(found), accept)
}

func mediaTypes(layers []ocispec.Descriptor) []string {
	out := make([]string, len(layers))
	for i, l := range layers {
		out[i] = l.MediaType
	}
	return out
}
