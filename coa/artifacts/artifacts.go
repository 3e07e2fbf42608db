// Package artifacts is the contract for pulling deployment packages (Helm
// charts, Compose archives) from OCI registries and local OCI layouts into
// a local, digest-addressed cache.
//
// A Puller resolves a reference, fetches its manifest, picks the one
// content layer the caller accepts and returns the local file holding it:
//
//	a, err := puller.Pull(ctx, "oci://registry.example:5000/charts/app:1.2.3",
//		artifacts.PullOptions{MediaTypes: []string{artifacts.HelmChartMediaType}})
//	// a.Path is a verified, read-only copy of the chart archive.
//
// References. A Puller accepts at least "oci://HOST[:PORT]/REPO:TAG",
// "oci://HOST[:PORT]/REPO@sha256:HEX" and the same without the "oci://"
// prefix. A reference names a tag or a digest: one naming neither is
// malformed (no implicit "latest"), and so is one without a registry host
// (no implicit Docker Hub). Implementations may accept more schemes (see
// providers/artifacts/oras for "oci-layout://").
//
// Errors carry a fault code (see package fault):
//
//	BadRequest     the reference is malformed, or names a layout, scheme or
//	               registry the puller is not configured for
//	NotFound       no such repository, tag or digest: the package is
//	               unavailable. Callers must never read it as "remove".
//	Unauthorized   the registry wants credentials (none, or wrong ones)
//	Forbidden      the credentials are valid but lack pull access
//	Unavailable    network or registry failure, after the puller's retries;
//	               also TLS trust failures and a plain-HTTP registry reached
//	               over HTTPS (not retried: the config must change)
//	Unprocessable  digest or size mismatch (tampered or corrupt content), an
//	               index or unknown manifest type, no acceptable layer, or
//	               several candidate layers
//	TooLarge       the content layer exceeds the puller's size limit
//	Canceled/Timeout  the caller's context ended; the error wraps ctx.Err()
//
// Cache. Content is stored under its layer digest after its digest was
// verified, and is never overwritten: a second Pull of the same content
// downloads nothing and reports Cached. A pull by digest whose manifest is
// cached needs no network at all; a pull by tag always asks the registry
// what the tag points to (tags move), then serves the layer from the cache.
// Concurrent pulls of the same content share one download.
package artifacts

import "context"

// HelmChartMediaType is the media type of a Helm chart's content layer.
const HelmChartMediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"

// Puller pulls artifacts by reference. Implementations are safe for
// concurrent use.
type Puller interface {
	// Pull returns the artifact ref names, downloading its content layer
	// into the cache unless it is there already. The returned Path stays
	// valid for the life of the cache; callers must not modify the file.
	Pull(ctx context.Context, ref string, opts PullOptions) (*Artifact, error)
}

// PullOptions tune one Pull.
type PullOptions struct {
	// MediaTypes are the acceptable content-layer media types, e.g.
	// HelmChartMediaType. Exactly one layer of the manifest may match.
	// Empty accepts any artifact that has exactly one layer.
	MediaTypes []string
	// Progress, when set, receives events from the goroutine that called
	// Pull, one at a time and never after Pull returned. An uncached
	// download reports at least its start (Done 0) and its end (Done ==
	// Total); a cache hit reports one event with Done == Total.
	Progress func(Event)
}

// Artifact is a pulled artifact.
type Artifact struct {
	// Ref is the reference as passed to Pull.
	Ref string
	// Digest is the manifest digest ("sha256:..."): the artifact's identity,
	// the same whether it was pulled by tag or by digest.
	Digest string
	// MediaType is the content layer's media type.
	MediaType string
	// LayerDigest is the content layer's digest, verified against Path.
	LayerDigest string
	// Path is the local file holding the content layer, inside the cache.
	Path string
	// Size is the content layer's size in bytes.
	Size int64
	// Annotations are the manifest's annotations merged with the content
	// layer's (the layer's win), e.g. org.opencontainers.image.title.
	Annotations map[string]string
	// Cached reports that this call downloaded no content bytes: the layer
	// was in the cache, or another concurrent Pull downloaded it.
	Cached bool
}

// Event is a progress report of one Pull.
type Event struct {
	Ref string // the reference being pulled
	// Done and Total count content-layer bytes; Total is 0 while unknown.
	Done, Total int64
	Message     string // what is happening, e.g. "downloading sha256:..."
}
