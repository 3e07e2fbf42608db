package margo

import (
	"context"
	"net/http"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/digest"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// artifactCacheControl marks content-addressed artifacts immutable (P1
// SHOULD public).
const artifactCacheControl = "public, max-age=31536000, immutable"

// deploymentYAML serves GET {prefix}/clients/{clientId}/deployments/{deploymentId}/{digest}:
// the exact stored YAML bytes as application/yaml, gzip-encoded when the
// client accepts gzip and the YAML has at least compressMinBytes (the digest
// and the ETag stay those of the decoded bytes). A malformed or unknown
// digest is 404 deployment-not-found.
func (v *Vendor) deploymentYAML(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	d := req.Param("digest")
	if _, err := digest.ParseArtifact(d); err != nil {
		return nil, problem(fault.NotFound, document.ProblemDeploymentNotFound, "no deployment YAML has digest %.80q", d)
	}
	body, err := v.deployments.DeploymentYAML(ctx, req.Param("clientId"), req.Param("deploymentId"), d)
	if err != nil {
		return nil, typed(err, fault.NotFound, document.ProblemDeploymentNotFound)
	}
	resp, err := artifact(req, d, body, document.YAMLMediaType)
	if err != nil || resp.Status != http.StatusOK {
		return resp, err
	}
	if len(body) >= v.cfg.CompressMinBytes && acceptsGzip(req.Metadata.Get("accept-encoding")) {
		gz, err := gzipped(body)
		if err != nil {
			return nil, err
		}
		if len(gz) < len(body) {
			resp.Body = gz
			resp.Metadata["content-encoding"] = "gzip"
		}
	}
	return resp, nil
}

// bundle serves GET {prefix}/clients/{clientId}/bundles/{digest}: the exact
// bundle bytes as application/vnd.margo.bundle.v1+tar+gzip (already gzip:
// never encoded again). A malformed or unknown digest is 404 invalid-bundle.
func (v *Vendor) bundle(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	d := req.Param("digest")
	if _, err := digest.ParseArtifact(d); err != nil {
		return nil, problem(fault.NotFound, document.ProblemInvalidBundle, "no bundle has digest %.80q", d)
	}
	body, err := v.deployments.Bundle(ctx, req.Param("clientId"), d)
	if err != nil {
		return nil, typed(err, fault.NotFound, document.ProblemInvalidBundle)
	}
	return artifact(req, d, body, document.BundleMediaType)
}

// artifact answers for content-addressed bytes: ETag "<digest>", immutable
// Cache-Control and Vary: Accept-Encoding, then 304 when If-None-Match
// matches, else 200 with contentType. Bytes that do not hash to the digest
// are a server fault, never served.
func artifact(req *endpoint.Request, d string, body []byte, contentType string) (*endpoint.Response, error) {
	if !digest.MatchArtifact(d, body) {
		return nil, fault.New(fault.Internal, "the stored artifact does not match its digest %s", d)
	}
	md := endpoint.Metadata{
		"etag":          quoted(d),
		"cache-control": artifactCacheControl,
		"vary":          "Accept-Encoding",
	}
	if notModified(req.Metadata.Get("if-none-match"), md["etag"]) {
		return &endpoint.Response{Status: http.StatusNotModified, Metadata: md}, nil
	}
	md["content-type"] = contentType
	return &endpoint.Response{Status: http.StatusOK, Metadata: md, Body: body}, nil
}
