package margo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/digest"
	"github.com/cadenza-edge/cadenza/margo/miaf"
)

// The Margo Identity Service endpoints (rc.3, unauthenticated), served when
// a fleet.Identity manager is among the vendor's managers.

// discovery serves GET /.well-known/margo: {trustDomain, trustBundleUri},
// the bundle URI on the authority the client addressed.
func (v *Vendor) discovery(_ context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	scheme := req.Scheme
	if scheme == "" {
		scheme = "https"
	}
	body, err := json.Marshal(miaf.Discovery{TrustDomain: v.identity.WFMIdentity().TrustDomain.Name(),
		TrustBundleURI: fmt.Sprintf("%s://%s%s", scheme, req.Authority, miaf.DefaultBundlePath)})
	if err != nil {
		return nil, err
	}
	return cacheable(req, body, "application/json", "no-cache"), nil
}

// trustBundle serves GET /.well-known/spiffe/bundle.json: the SPIFFE JWK
// Set, with an ETag (its digest) and a max-age of its refresh hint.
func (v *Vendor) trustBundle(_ context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	b, body := v.identity.Bundle()
	if b == nil {
		return nil, fault.New(fault.Unavailable, "the trust bundle is not ready yet")
	}
	return cacheable(req, body, miaf.BundleMediaType, fmt.Sprintf("max-age=%d", int(b.RefreshHint().Seconds()))), nil
}

// cacheable answers body with a strong ETag (its digest), or 304 when the
// request's If-None-Match matches it.
func cacheable(req *endpoint.Request, body []byte, contentType, cacheControl string) *endpoint.Response {
	md := endpoint.Metadata{"etag": quoted(digest.Sha256(body)), "cache-control": cacheControl}
	if notModified(req.Metadata.Get("if-none-match"), md["etag"]) {
		return &endpoint.Response{Status: http.StatusNotModified, Metadata: md}
	}
	md["content-type"] = contentType
	return &endpoint.Response{Status: http.StatusOK, Metadata: md, Body: body}
}
