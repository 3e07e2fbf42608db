package operator

// rc.3 client identities: the operator API's SVID issuance and the Margo
// Identity Service's trust bundle (both served when the WFM runs a
// managers.identity).

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cadenza-edge/cadenza/margo/miaf"
)

// SVIDMediaType is the media type of an issued SVID: a PEM certificate
// chain (RFC 8555 §9.1).
const SVIDMediaType = "application/pem-certificate-chain"

// IssueSVID has the WFM sign a client's certificate signing request into
// the client's X.509-SVID, spiffe://<td>/margo/wfm/<wfm-id>/client/<clientID>
// (POST /clients/{clientId}/svid, rc.3). csrPEM is a PEM CERTIFICATE
// REQUEST; the answer is the SVID, PEM, leaf first. The WFM answers 400 for
// a bad CSR and 422 for a client id that cannot be a SPIFFE ID path
// segment; a WFM without a managers.identity serves no such route (404).
func (c *Client) IssueSVID(ctx context.Context, clientID string, csrPEM []byte) ([]byte, error) {
	if clientID == "" {
		return nil, errors.New("no client id: the SVID is a client's")
	}
	path := pathOf("clients", clientID, "svid")
	b, _, err := c.do(ctx, request{method: http.MethodPost, path: path, body: rawBody(csrPEM),
		contentType: "application/x-pem-file", accept: SVIDMediaType + ", application/problem+json"})
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("the answer of POST %s is not a PEM certificate", path)
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return nil, fmt.Errorf("the answer of POST %s is not a certificate: %v", path, err)
	}
	return b, nil
}

// TrustBundle fetches the trust domain's bundle from the Margo Identity
// Service on the server's root (not under the operator API's prefix): the
// discovery document (GET /.well-known/margo) names the trust domain and
// the bundle's URL (by default /.well-known/spiffe/bundle.json), then the
// bundle (a SPIFFE JWK Set) is read for that trust domain. Both documents
// are public: no token is sent. A bundle without any X.509 anchor is an
// error (fail closed).
func (c *Client) TrustBundle(ctx context.Context) (*miaf.Bundle, error) {
	origin := c.origin()
	discoveryURL := origin + miaf.DiscoveryPath
	b, _, err := c.do(ctx, request{method: http.MethodGet, path: discoveryURL, url: discoveryURL, anonymous: true})
	if err != nil {
		return nil, err
	}
	d, td, err := miaf.ParseDiscovery(b)
	if err != nil {
		return nil, fmt.Errorf("the discovery document at %s: %w", discoveryURL, err)
	}
	bundleURL := d.TrustBundleURI
	if strings.HasPrefix(bundleURL, "/") {
		bundleURL = origin + bundleURL
	}
	if b, _, err = c.do(ctx, request{method: http.MethodGet, path: bundleURL, url: bundleURL, anonymous: true}); err != nil {
		return nil, err
	}
	bundle, err := miaf.ParseBundle(td, b)
	if err != nil {
		return nil, fmt.Errorf("the trust bundle at %s: %w", bundleURL, err)
	}
	return bundle, nil
}

// origin is the server URL's scheme and authority: where the identity
// service's documents are.
func (c *Client) origin() string {
	u, err := url.Parse(c.server)
	if err != nil { // New checked it
		return c.server
	}
	return u.Scheme + "://" + u.Host
}
