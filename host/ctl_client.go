package main

// The operator commands' HTTP client: requests, problem documents turned
// into messages with a hint of what to do next, and paged listings.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
)

// request is one call of the API. Path is escaped already (see pathOf).
type request struct {
	method, path string
	query        url.Values
	body         any    // JSON-encoded when not nil
	contentType  string // of the body; application/json when empty
	notFound     string // hint for a 404 about a missing resource
	ifMatch      string // If-Match value, when not empty
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

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// apiError is a failed call: an error status with its problem, or a
// transport failure; hint says what to do about it.
type apiError struct {
	status  int
	problem problem
	msg     string
	hint    string
}

func (e *apiError) Error() string { return e.msg }

// do sends one request and returns the body of a 2xx response; anything
// else is an *apiError.
func (c *ctl) do(ctx context.Context, r request) ([]byte, int, error) {
	target := c.server + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
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
		return nil, 0, &apiError{msg: err.Error(), hint: "check --server (" + c.server + ")"}
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	req.Header.Set("User-Agent", "cadenza/"+Version)
	if r.ifMatch != "" {
		req.Header.Set("If-Match", r.ifMatch)
	}
	if c.token != "" {
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
		return nil, 0, c.transportError(ctx, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(io.LimitReader(res.Body, ctlMaxBody))
	if err != nil {
		return nil, res.StatusCode, c.transportError(ctx, err)
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return out, res.StatusCode, nil
	}
	return nil, res.StatusCode, c.statusError(r, res, out)
}

// statusError makes the apiError of a response with an error status.
func (c *ctl) statusError(r request, res *http.Response, body []byte) *apiError {
	e := &apiError{status: res.StatusCode}
	mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if mt == "application/problem+json" || mt == "application/json" {
		_ = json.Unmarshal(body, &e.problem)
	}
	p := &e.problem
	if p.Title == "" {
		p.Title = http.StatusText(res.StatusCode)
	}
	if p.Detail == "" && p.Title == http.StatusText(res.StatusCode) && mt != "application/problem+json" {
		// Not a problem document (a proxy, or not the WFM): its first line.
		line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
		if len(line) > 200 {
			line = line[:200] + "..."
		}
		p.Detail = line
	}
	e.msg = fmt.Sprintf("%s (%d)", p.Title, res.StatusCode)
	if p.Detail != "" {
		e.msg += ": " + p.Detail
	}
	route := r.method + " " + r.path
	switch {
	case res.StatusCode == http.StatusUnauthorized:
		e.hint = "pass a token the WFM accepts with --token or set CADENZA_TOKEN (samples/wfm.json accepts $CADENZA_TOKEN of the WFM, else sandbox-token)"
	case res.StatusCode == http.StatusForbidden:
		e.hint = "this token may not do that: use another with --token or CADENZA_TOKEN"
	case (res.StatusCode == http.StatusNotFound && p.Detail == "no endpoint serves this path") ||
		res.StatusCode == http.StatusMethodNotAllowed || (res.StatusCode == http.StatusNotFound && mt != "application/problem+json"):
		e.hint = fmt.Sprintf("the server at %s does not serve %s: check that --server ends with the operator API prefix (like /fleet/v1), and that the WFM is recent enough for this command", c.server, route)
		if strings.HasPrefix(r.path, "/registries") || strings.HasPrefix(r.path, "/applications") {
			e.hint += "; the catalog routes need a managers.catalog among the managers of vendors.fleet (see samples/wfm.json)"
		}
	case res.StatusCode == http.StatusNotFound && r.notFound != "":
		e.hint = r.notFound
	case res.StatusCode == http.StatusServiceUnavailable:
		e.hint = "the WFM or something it depends on is unavailable; retry shortly, and see the WFM's log"
	case res.StatusCode >= 500:
		e.hint = "the WFM failed; see its log"
	}
	return e
}

// transportError explains a failure to get an answer.
func (c *ctl) transportError(ctx context.Context, err error) *apiError {
	e := &apiError{msg: fmt.Sprintf("%s: %v", c.server, err)}
	var (
		unknownCA x509.UnknownAuthorityError
		verify    *tls.CertificateVerificationError
		host      x509.HostnameError
		dns       *net.DNSError
		recordErr tls.RecordHeaderError
	)
	switch {
	case ctx.Err() != nil:
		e.msg, e.hint = "interrupted", ""
	case errors.Is(err, syscall.ECONNREFUSED):
		e.msg = fmt.Sprintf("nothing answers at %s (connection refused)", c.server)
		e.hint = "start the WFM with `cadenza run --config samples/wfm.json`, or point --server (or CADENZA_SERVER) at yours"
	case errors.As(err, &host):
		e.hint = "the WFM's certificate does not name the host of --server: use a host name or address it lists (samples/wfm.json: 127.0.0.1 or localhost)"
	case errors.As(err, &unknownCA) || errors.As(err, &verify):
		e.hint = "the WFM's certificate is not signed by a CA this command trusts: pass --cacert FILE or set CADENZA_CACERT (the sample WFM writes its CA to var/wfm/ca.pem)"
	case errors.As(err, &recordErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		e.hint = "the server does not speak TLS: use an http:// --server URL, or the WFM's https port"
	case errors.As(err, &dns):
		e.hint = "the host of --server does not resolve: check --server or CADENZA_SERVER"
	case isTimeout(err):
		e.hint = fmt.Sprintf("no answer within --timeout %s: check that the WFM runs and is reachable, or raise --timeout", c.timeout)
	default:
		e.hint = "check --server (or CADENZA_SERVER) and that the WFM runs"
	}
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// fail prints err (an apiError with its problem's violations and hint, or
// another error) and returns 1.
func (c *ctl) fail(err error) int {
	fmt.Fprintf(c.stderr, "cadenza %s: %s\n", c.cmd, err)
	var e *apiError
	if errors.As(err, &e) {
		for _, v := range e.problem.Errors {
			fmt.Fprintf(c.stderr, "  %s: %s\n", v.Field, v.Message)
		}
		if e.hint != "" {
			fmt.Fprintf(c.stderr, "hint: %s\n", e.hint)
		}
	}
	return 1
}

// get decodes the JSON body of a GET into v (when not nil) and returns it.
func (c *ctl) get(ctx context.Context, path string, query url.Values, notFound string, v any) ([]byte, error) {
	b, _, err := c.do(ctx, request{method: http.MethodGet, path: path, query: query, notFound: notFound})
	if err != nil {
		return nil, err
	}
	return b, decodeInto(b, v, path)
}

// send makes a call with a body (nil: none) and decodes the response into v
// (when not nil and there is a body).
func (c *ctl) send(ctx context.Context, r request, v any) ([]byte, int, error) {
	b, status, err := c.do(ctx, r)
	if err != nil {
		return nil, status, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, status, nil
	}
	return b, status, decodeInto(b, v, r.path)
}

func decodeInto(b []byte, v any, path string) error {
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("the answer of %s is not the JSON expected: %v", path, err)
	}
	return nil
}

// maxPages bounds a listing walk (a server repeating a cursor).
const maxPages = 100000

// list walks a listing, following next, and returns every item.
func (c *ctl) list(ctx context.Context, path string, query url.Values) ([]json.RawMessage, error) {
	var items []json.RawMessage
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	seen := map[string]bool{}
	for range maxPages {
		var page struct {
			Items []json.RawMessage `json:"items"`
			Next  string            `json:"next"`
		}
		if _, err := c.get(ctx, path, q, "", &page); err != nil {
			return nil, err
		}
		items = append(items, page.Items...)
		if page.Next == "" {
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

// decodeItems decodes the raw items of a listing into a slice of T.
// listOf reads every page of the listing at path and decodes its items:
// the raw items (for -o json|yaml) and the decoded ones (for tables).
func listOf[T any](ctx context.Context, c *ctl, path string, query url.Values) ([]json.RawMessage, []T, error) {
	raw, err := c.list(ctx, path, query)
	if err != nil {
		return nil, nil, err
	}
	items, err := decodeItems[T](raw, path)
	return raw, items, err
}

func decodeItems[T any](raw []json.RawMessage, path string) ([]T, error) {
	out := make([]T, len(raw))
	for i, r := range raw {
		if err := decodeInto(r, &out[i], path); err != nil {
			return nil, err
		}
	}
	return out, nil
}
