// Package endpoint defines protocol-neutral endpoints: what a vendor exposes
// and what every binding (HTTP, MQTT) serves. Handlers never see a
// protocol library's types.
package endpoint

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/url"
	"strings"
)

// Handler handles one request. A non-nil error is rendered by the binding as
// a problem document (see package fault); a nil Response with a nil error is
// an empty 204.
type Handler func(ctx context.Context, req *Request) (*Response, error)

// Middleware wraps a handler.
type Middleware func(Handler) Handler

// Endpoint is one route of a vendor.
type Endpoint struct {
	Method  string // GET, POST, PUT, DELETE, PATCH...
	Route   string // template with {param} segments, e.g. /api/v1/clients/{clientId}/deployments
	Handler Handler
	// Name is a short operation name used in spans and metrics; Method+Route when empty.
	Name string
	// MaxBody overrides the binding's request body limit for this endpoint when > 0.
	MaxBody int
}

// OperationName is the name used in spans and metrics.
func (e Endpoint) OperationName() string {
	if e.Name != "" {
		return e.Name
	}
	return e.Method + " " + e.Route
}

// Metadata carries protocol headers. Keys are lower-case.
type Metadata map[string]string

// Get returns the value of key (case-insensitive).
func (m Metadata) Get(key string) string { return m[strings.ToLower(key)] }

// Set sets key (stored lower-case).
func (m Metadata) Set(key, value string) { m[strings.ToLower(key)] = value }

// Has reports whether key is present, even with an empty value.
func (m Metadata) Has(key string) bool { _, ok := m[strings.ToLower(key)]; return ok }

// Request is one call of an endpoint.
type Request struct {
	Method    string
	Route     string            // the endpoint's route template
	Params    map[string]string // route parameters
	Query     url.Values
	Metadata  Metadata
	Body      []byte
	Scheme    string // "https", "http", "mqtt"...
	Authority string // host[:port] as the client addressed it
	Path      string // the request path as sent (escaped)
	RawQuery  string // the query string as sent, without '?'
	Remote    string // peer address
	// PeerCertificates are the verified client certificates when the
	// transport authenticated the peer (mTLS); nil otherwise.
	PeerCertificates []*x509.Certificate
	// Binding names the binding that received the request ("bindings.http").
	Binding string
}

// Param returns a route parameter.
func (r *Request) Param(name string) string { return r.Params[name] }

// TargetURI is the request's absolute URI (RFC 9110 target URI).
func (r *Request) TargetURI() string {
	u := r.Scheme + "://" + r.Authority + r.Path
	if r.RawQuery != "" {
		u += "?" + r.RawQuery
	}
	return u
}

// Response is an endpoint's answer.
type Response struct {
	Status   int
	Metadata Metadata
	Body     []byte
}

// JSON is a convenience for a response with a JSON body already encoded.
func JSON(status int, body []byte) *Response {
	return &Response{Status: status, Metadata: Metadata{"content-type": "application/json"}, Body: body}
}

// Status returns a bodiless response.
func Status(code int) *Response { return &Response{Status: code, Metadata: Metadata{}} }

// NoContent is 204.
func NoContent() *Response { return Status(http.StatusNoContent) }
