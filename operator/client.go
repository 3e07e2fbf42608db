// Package operator is a typed Go client of the WFM's operator API
// (vendors.fleet, served under /fleet/v1 by default; reference:
// docs/api/openapi.yaml): clients, devices and their labels, per-client
// deployments, the application catalog, operator deployments,
// eligibility, and rc.3 client identities (IssueSVID, and TrustBundle from
// the Margo Identity Service on the same server's root). Requests and
// answers are the types of package fleet, the ones the server encodes, so
// client and server share one set of wire types. An answer with an error
// status is an *Error carrying the RFC 9457 problem document; a failure to
// get an answer is the transport's error.
//
//	c, err := operator.New(operator.Options{Server: "https://127.0.0.1:8443/fleet/v1", Token: token, HTTPClient: hc})
//	r, err := c.CreateDeployment(ctx, fleet.RolloutSpec{Application: "com-example-echo",
//		Target: fleet.Target{Devices: []fleet.DeviceRef{{ClientID: id}}}})
//
// The cadenza command's operator verbs (package cli) are built on it.
package operator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
)

// Options configure a Client.
type Options struct {
	// Server is the operator API's base URL, its prefix included, like
	// https://127.0.0.1:8443/fleet/v1.
	Server string
	// Token is the bearer token; "" sends none.
	Token string
	// HTTPClient sends the requests (its transport trusts the WFM's CA, its
	// Timeout bounds each request); http.DefaultClient when nil.
	HTTPClient *http.Client
	// UserAgent is sent as User-Agent when set.
	UserAgent string
}

// Client calls one operator API. It is safe for concurrent use.
type Client struct {
	server string
	token  string
	hc     *http.Client
	ua     string
}

// New checks the options and returns a client.
func New(o Options) (*Client, error) {
	server := strings.TrimRight(o.Server, "/")
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("operator API URL %q must be an http(s) URL with the API's prefix, like https://127.0.0.1:8443/fleet/v1", o.Server)
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{server: server, token: o.Token, hc: hc, ua: o.UserAgent}, nil
}

// Server is the base URL requests go to, without a trailing slash.
func (c *Client) Server() string { return c.server }

// maxBody bounds one answer's body.
const maxBody = 64 << 20

// Error is an answer with an error status.
type Error struct {
	// Method and Path are the request's; Path is relative to the server URL,
	// except for the identity service's documents (TrustBundle), which sit
	// on the server's root: there it is the document's URL.
	Method, Path string
	Status       int
	// MediaType is the answer's media type: application/problem+json when
	// the WFM (or anything speaking RFC 9457) answered.
	MediaType string
	// Problem is the problem document. For another body (a proxy's page)
	// Title is the status text and Detail the body's first line.
	Problem fault.Problem
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s (%d)", e.Problem.Title, e.Status)
	if e.Problem.Detail != "" {
		msg += ": " + e.Problem.Detail
	}
	return msg
}

// IsProblem reports whether the answer was an RFC 9457 problem document.
func (e *Error) IsProblem() bool { return e.MediaType == fault.ProblemContentType }

// StatusOf is the status of an *Error in err's chain, 0 when there is none.
func StatusOf(err error) int {
	if e, ok := errorOf(err); ok {
		return e.Status
	}
	return 0
}

// Option changes one call.
type Option func(*callOptions)

type callOptions struct {
	raw *json.RawMessage
}

// JSON keeps the answer's body as the server sent it in *raw: for a
// listing, {"items": [...]} with the items of every page.
func JSON(raw *json.RawMessage) Option { return func(o *callOptions) { o.raw = raw } }

func optionsOf(opts []Option) callOptions {
	var o callOptions
	for _, f := range opts {
		f(&o)
	}
	return o
}

// request is one call. Path is escaped already (see pathOf).
type request struct {
	method, path string
	query        url.Values
	body         any    // JSON-encoded when not nil, except a rawBody
	contentType  string // of the body; application/json when empty
	ifMatch      string
	accept       string // the Accept header; JSON and problems when empty
	// url, when set, is the absolute URL to call instead of the server's
	// URL and path (path then names it in errors); anonymous sends no token.
	url       string
	anonymous bool
}

// rawBody is a request body sent as it is.
type rawBody []byte

// do sends r and returns the body of a 2xx answer and its status; an
// error status is an *Error.
func (c *Client) do(ctx context.Context, r request) ([]byte, int, error) {
	target := c.server + r.path
	if r.url != "" {
		target = r.url
	}
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	if raw, ok := r.body.(rawBody); ok {
		body = bytes.NewReader(raw)
	} else if r.body != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r.body); err != nil {
			return nil, 0, err
		}
		body = bytes.NewReader(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, 0, err
	}
	accept := r.accept
	if accept == "" {
		accept = "application/json, application/problem+json"
	}
	req.Header.Set("Accept", accept)
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	}
	if r.ifMatch != "" {
		req.Header.Set("If-Match", r.ifMatch)
	}
	if c.token != "" && !r.anonymous {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if r.body != nil {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return nil, res.StatusCode, err
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return out, res.StatusCode, nil
	}
	return nil, res.StatusCode, statusError(r, res, out)
}

// statusError makes the *Error of an answer with an error status.
func statusError(r request, res *http.Response, body []byte) *Error {
	e := &Error{Method: r.method, Path: r.path, Status: res.StatusCode}
	e.MediaType, _, _ = mime.ParseMediaType(res.Header.Get("Content-Type"))
	if e.MediaType == fault.ProblemContentType || e.MediaType == "application/json" {
		_ = json.Unmarshal(body, &e.Problem)
	}
	p := &e.Problem
	p.Status = res.StatusCode
	if p.Title == "" {
		p.Title = http.StatusText(res.StatusCode)
	}
	if p.Detail == "" && p.Title == http.StatusText(res.StatusCode) && !e.IsProblem() {
		// Not a problem document (a proxy, or not the WFM): its first line.
		line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
		if len(line) > 200 {
			line = line[:200] + "..."
		}
		p.Detail = line
	}
	return e
}

// call sends r and decodes a JSON answer into v (when v is not nil and
// there is a body), keeping the body as asked by o.
func (c *Client) call(ctx context.Context, r request, v any, o callOptions) (int, error) {
	b, status, err := c.do(ctx, r)
	if err != nil {
		return status, err
	}
	if o.raw != nil {
		*o.raw = b
	}
	if v == nil || len(bytes.TrimSpace(b)) == 0 {
		return status, nil
	}
	return status, decodeInto(b, v, r.path)
}

func decodeInto(b []byte, v any, path string) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("the answer of %s is not the JSON expected: %v", path, err)
	}
	return nil
}

// get is a GET decoded into a T.
func get[T any](ctx context.Context, c *Client, path string, query url.Values, opts []Option) (T, error) {
	var v T
	_, err := c.call(ctx, request{method: http.MethodGet, path: path, query: query}, &v, optionsOf(opts))
	return v, err
}

// send is a call with a JSON body (nil: none) whose answer decodes into a T.
func send[T any](ctx context.Context, c *Client, r request, opts []Option) (T, error) {
	var v T
	_, err := c.call(ctx, r, &v, optionsOf(opts))
	return v, err
}

// maxPages bounds a listing walk (a server repeating a cursor).
const maxPages = 100000

// list walks the listing at path, following next, and decodes every item.
func list[T any](ctx context.Context, c *Client, path string, query url.Values, opts []Option) ([]T, error) {
	o := optionsOf(opts)
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	var raw []json.RawMessage
	seen := map[string]bool{}
	for range maxPages {
		var page fleet.List[json.RawMessage]
		if _, err := c.call(ctx, request{method: http.MethodGet, path: path, query: q}, &page, callOptions{}); err != nil {
			return nil, err
		}
		raw = append(raw, page.Items...)
		if page.Next == "" {
			items := make([]T, len(raw))
			for i, r := range raw {
				if err := decodeInto(r, &items[i], path); err != nil {
					return nil, err
				}
			}
			if o.raw != nil {
				*o.raw = listJSON(raw)
			}
			return items, nil
		}
		if seen[page.Next] {
			return nil, fmt.Errorf("the listing %s repeats its cursor %q", path, page.Next)
		}
		seen[page.Next] = true
		q.Set("after", page.Next)
	}
	return nil, fmt.Errorf("the listing %s has too many pages", path)
}

// listJSON is {"items": [items]}.
func listJSON(items []json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	b.WriteString(`{"items":[`)
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// Items splits the JSON of a listing kept with the JSON option into its
// items.
func Items(list json.RawMessage) ([]json.RawMessage, error) {
	var l fleet.List[json.RawMessage]
	if err := json.Unmarshal(list, &l); err != nil {
		return nil, err
	}
	return l.Items, nil
}

// pathOf joins escaped path segments: each is escaped on its own, except
// that the '/' inside a segment marked with a leading "/" are kept (device
// ids may contain '/', sent unescaped).
func pathOf(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		if keep, ok := strings.CutPrefix(s, "/"); ok {
			parts := strings.Split(keep, "/")
			for i, p := range parts {
				parts[i] = url.PathEscape(p)
			}
			b.WriteString(strings.Join(parts, "/"))
			continue
		}
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
