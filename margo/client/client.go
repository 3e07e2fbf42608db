// Package client is a Go client of the Margo device API (profile P1): every
// request but the CA download is signed with RFC 9421 over the device's key,
// bodies carry an RFC 9530 Content-Digest, and fetched artifacts are checked
// against their digests before they are returned. The device agent uses it;
// so do the end-to-end tests and the load generator.
package client

import (
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// MaxBody bounds any response body the client reads (64 MiB).
const MaxBody = 64 << 20

// Options configure a Client.
type Options struct {
	// BaseURL is the WFM root including the API prefix, e.g. "https://wfm:8443/api/v1".
	BaseURL string
	// Key and Certificate are the device's identity.
	Key         crypto.Signer
	Certificate *x509.Certificate
	// Roots are the CAs trusted for the WFM's TLS certificate (nil: system roots).
	Roots *x509.CertPool
	// ClientID once onboarded.
	ClientID string
	// Timeout of one request (default 30s).
	Timeout time.Duration
	// Transport overrides the base transport (tests).
	Transport http.RoundTripper
	// Alg is the RFC 9421 algorithm the client signs with (see
	// signature.CheckAlg); derived from the key when empty.
	Alg string
	// PrefixPaths resolves an artifact URL that is an absolute path not
	// starting with BaseURL's path under that path (for WFMs mounted under
	// a prefix that emit URLs without it). Off: RFC 3986 resolution against
	// the host, as the spec says. OnPrefixed is called each time it applies.
	PrefixPaths bool
	OnPrefixed  func(from, to string)
	// RC3 selects the rc.3 (MIAF) profile: no onboarding and no
	// signatures; the client authenticates with its X.509-SVID in the TLS
	// handshake (ClientCertificate), and the routes carry no clientId
	// (/capabilities/{deviceId}, /deployments, ...). Key and Certificate
	// are not used.
	RC3 bool
	// ClientCertificate returns the SVID to present (called at each
	// handshake, so a renewed SVID is picked up without a restart).
	ClientCertificate func(*tls.CertificateRequestInfo) (*tls.Certificate, error)
	// VerifyConnection, when set, is called after the server certificate
	// verified (rc.3: the WFM's SPIFFE ID is checked there).
	VerifyConnection func(tls.ConnectionState) error
}

// Client talks to one WFM.
type Client struct {
	base     *url.URL
	opts     Options
	signed   *http.Client
	unsigned *http.Client
}

// New returns a client.
func New(opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q must be an absolute https URL", opts.BaseURL)
	}
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Second
	}
	base := opts.Transport
	if base == nil {
		base = &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: opts.Roots, MinVersion: tls.VersionTLS13,
				GetClientCertificate: opts.ClientCertificate, VerifyConnection: opts.VerifyConnection},
			ForceAttemptHTTP2:   false,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
		}
	}
	if opts.RC3 {
		if opts.ClientCertificate == nil && opts.Transport == nil {
			return nil, fmt.Errorf("client: rc.3 needs the client's X.509-SVID (ClientCertificate)")
		}
		hc := &http.Client{Transport: base, Timeout: opts.Timeout}
		return &Client{base: u, opts: opts, signed: hc, unsigned: hc}, nil
	}
	if opts.Key == nil || opts.Certificate == nil {
		return nil, fmt.Errorf("client: a key and a certificate are required")
	}
	if opts.Alg != "" {
		if err := signature.CheckAlg(opts.Key.Public(), opts.Alg); err != nil {
			return nil, fmt.Errorf("client: %w", err)
		}
	}
	signer := &signature.Signer{Key: opts.Key, KeyID: signature.KeyID(opts.Certificate), Alg: opts.Alg}
	return &Client{
		base:     u,
		opts:     opts,
		signed:   &http.Client{Transport: &signature.Transport{Base: base, Signer: signer}, Timeout: opts.Timeout},
		unsigned: &http.Client{Transport: base, Timeout: opts.Timeout},
	}, nil
}

// ClientID returns the client id (after Onboard or when configured).
func (c *Client) ClientID() string { return c.opts.ClientID }

// SetClientID sets the client id of an already onboarded device.
func (c *Client) SetClientID(id string) { c.opts.ClientID = id }

// CloseIdleConnections closes the client's idle keep-alive connections.
func (c *Client) CloseIdleConnections() {
	c.signed.CloseIdleConnections()
	c.unsigned.CloseIdleConnections()
}

// Error is a non-success answer of the WFM.
type Error struct {
	Status     int
	Problem    map[string]any // the problem document, when the body was one
	Body       []byte
	RetryAfter time.Duration // from Retry-After, when sent
}

// Retryable is the rc.3 problem's retryable member: whether the WFM says
// the same request may succeed later (nil when the answer has none).
func (e *Error) Retryable() *bool {
	if b, ok := e.Problem["retryable"].(bool); ok {
		return &b
	}
	return nil
}

func (e *Error) Error() string {
	detail := ""
	if e.Problem != nil {
		detail = fmt.Sprint(e.Problem["detail"])
		if t, ok := e.Problem["type"].(string); ok && t != "about:blank" {
			detail += " (" + t + ")"
		}
	}
	return fmt.Sprintf("WFM answered %d %s: %s", e.Status, http.StatusText(e.Status), detail)
}

var jsonHeaders = map[string]string{"Content-Type": "application/json"}

// ReportCapabilities sends a capabilities document (endpoint 3). deviceID ""
// uses the earliest P1 route without the device id. method is POST or PUT.
func (c *Client) ReportCapabilities(ctx context.Context, method, deviceID string, doc []byte) error {
	if c.opts.RC3 {
		method = http.MethodPut // rc.3 has no POST: PUT creates (201) and updates (200)
	}
	p := c.clientPath() + "/capabilities"
	if deviceID != "" {
		p += "/" + escapeDevice(deviceID)
	}
	_, err := c.do(ctx, c.signed, method, c.url(p), doc, jsonHeaders)
	return err
}

// RemoveDevice deletes a device's capabilities (endpoint 4).
func (c *Client) RemoveDevice(ctx context.Context, deviceID string) error {
	_, err := c.do(ctx, c.signed, http.MethodDelete, c.url(c.clientPath()+"/capabilities/"+escapeDevice(deviceID)), nil, nil)
	return err
}

// ManifestResult is the answer to a manifest poll.
type ManifestResult struct {
	NotModified bool
	ETag        string
	Body        []byte
	Manifest    *document.Manifest
	// ETagMismatch is set when the ETag is not the quoted digest of the
	// body. The ETag is a cache validator (RFC 9110: opaque to clients),
	// so this is reported, not refused; the YAML and bundle digests carry
	// the integrity. A strict caller may refuse it.
	ETagMismatch bool
}

// Manifest polls the desired state (endpoint 5) with If-None-Match etag.
// The manifest is parsed and validated; ETagMismatch tells whether its ETag
// is the digest of the body.
func (c *Client) Manifest(ctx context.Context, etag string) (*ManifestResult, error) {
	h := map[string]string{"Accept": document.ManifestMediaType}
	if etag != "" {
		h["If-None-Match"] = etag
	}
	resp, err := c.do(ctx, c.signed, http.MethodGet, c.url(c.clientPath()+"/deployments"), nil, h)
	if err != nil {
		return nil, err
	}
	if resp.status == http.StatusNotModified {
		return &ManifestResult{NotModified: true, ETag: etag}, nil
	}
	m, err := document.ParseManifest(resp.body)
	if err != nil {
		return nil, fmt.Errorf("client: invalid manifest: %w", err)
	}
	got := resp.header.Get("ETag")
	want := `"` + document.DigestOf(resp.body) + `"`
	return &ManifestResult{ETag: got, Body: resp.body, Manifest: m, ETagMismatch: got != want}, nil
}

// Fetch downloads a deployment YAML or a bundle by its manifest URL
// (endpoints 6 and 7) and checks the bytes against digest before returning them.
func (c *Client) Fetch(ctx context.Context, ref, digest string) ([]byte, error) {
	u, err := c.base.Parse(c.prefixed(ref))
	if err != nil {
		return nil, fmt.Errorf("client: artifact URL %q: %w", ref, err)
	}
	// net/http asks for gzip itself and decodes it transparently; the digest
	// covers the decoded bytes.
	resp, err := c.do(ctx, c.signed, http.MethodGet, u.String(), nil, nil)
	if err != nil {
		return nil, err
	}
	if document.DigestOf(resp.body) != digest {
		return nil, fmt.Errorf("client: %s does not match its digest %s", ref, digest)
	}
	return resp.body, nil
}

// ReportStatus posts a deployment status (endpoint 8).
func (c *Client) ReportStatus(ctx context.Context, deploymentID string, doc []byte) error {
	_, err := c.do(ctx, c.signed, http.MethodPost, c.url(c.clientPath()+"/deployments/"+url.PathEscape(deploymentID)+"/status"), doc, jsonHeaders)
	return err
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (c *Client) do(ctx context.Context, hc *http.Client, method, u string, body []byte, headers map[string]string) (*response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("client: reading %s %s: %w", method, u, err)
	}
	if len(data) > MaxBody {
		return nil, fmt.Errorf("client: %s %s: response larger than %d bytes", method, u, MaxBody)
	}
	if res.StatusCode >= 400 {
		e := &Error{Status: res.StatusCode, Body: data}
		_ = json.Unmarshal(data, &e.Problem)
		if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
		return nil, e
	}
	return &response{status: res.StatusCode, header: res.Header, body: data}, nil
}
