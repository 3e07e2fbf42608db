package margo

import (
	"context"
	"net/http"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/digest"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// manifestCacheControl lets only the device cache the manifest, and never
// as immutable: it changes whenever the desired state does.
const manifestCacheControl = "private"

// manifest serves GET {prefix}/clients/{clientId}/deployments: the client's
// desired-state manifest as application/vnd.margo.manifest.v1+json with its
// ETag and Cache-Control: private; 304 (no body) when If-None-Match matches
// the ETag; 406 when Accept admits only other types. No Accept, an empty
// one, */* and application/* all get the manifest type.
func (v *Vendor) manifest(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	return v.serveManifest(ctx, req, req.Param("clientId"), nil)
}

// serveManifest answers for client's manifest; rewrite, when set, turns the
// stored body into the representation served (its ETag is then the
// digest of what is served).
func (v *Vendor) serveManifest(ctx context.Context, req *endpoint.Request, client string, rewrite func(etag string, body []byte) ([]byte, error)) (*endpoint.Response, error) {
	if !acceptable(req.Metadata.Get("accept"), document.ManifestMediaType) {
		return nil, problem(fault.NotAcceptable, document.ProblemServerCannotGenerateResponse,
			"the manifest is only available as %s", document.ManifestMediaType)
	}
	view, err := v.deployments.Manifest(ctx, client)
	if err != nil {
		return nil, typed(err, fault.NotFound, document.ProblemInvalidClient)
	}
	etag := view.ETag
	if rewrite != nil {
		if view.Body, err = rewrite(view.ETag, view.Body); err != nil {
			return nil, err
		}
		etag = ""
	}
	if etag == "" {
		etag = quoted(digest.Sha256(view.Body))
	}
	md := endpoint.Metadata{"etag": etag, "cache-control": manifestCacheControl}
	if notModified(req.Metadata.Get("if-none-match"), etag) {
		return &endpoint.Response{Status: http.StatusNotModified, Metadata: md}, nil
	}
	md["content-type"] = document.ManifestMediaType
	return &endpoint.Response{Status: http.StatusOK, Metadata: md, Body: view.Body}, nil
}
