package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/valyala/fasthttp"
)

// adapt turns an endpoint into a fasthttp handler.
func (b *Binding) adapt(e endpoint.Endpoint) fasthttp.RequestHandler {
	maxBody := e.MaxBody
	return func(ctx *fasthttp.RequestCtx) {
		if maxBody > 0 && len(ctx.PostBody()) > maxBody {
			writeFault(ctx, fault.New(fault.TooLarge, "the request body exceeds %d bytes", maxBody))
			return
		}
		req := b.request(ctx, e)
		hctx, cancel := context.WithTimeout(b.base, b.cfg.HandlerTimeout.D())
		resp, err := e.Handler(hctx, req)
		cancel()
		if err != nil {
			writeFault(ctx, err)
			return
		}
		writeResponse(ctx, resp)
	}
}

func (b *Binding) request(ctx *fasthttp.RequestCtx, e endpoint.Endpoint) *endpoint.Request {
	uri := string(ctx.Request.Header.RequestURI())
	path, rawQuery, _ := strings.Cut(uri, "?")
	req := &endpoint.Request{
		Method:    string(ctx.Method()),
		Route:     e.Route,
		Params:    map[string]string{},
		Metadata:  endpoint.Metadata{},
		Body:      bytes.Clone(ctx.PostBody()),
		Scheme:    "http",
		Authority: string(ctx.Host()),
		Path:      path,
		RawQuery:  rawQuery,
		Remote:    ctx.RemoteAddr().String(),
		Binding:   ID,
	}
	if ctx.IsTLS() {
		req.Scheme = "https"
		if st := ctx.TLSConnectionState(); st != nil && len(st.VerifiedChains) > 0 {
			req.PeerCertificates = st.PeerCertificates
		}
	}
	if b.cfg.TrustProxyHeaders {
		forwarded(ctx, req)
	}
	ctx.VisitUserValues(func(k []byte, v any) {
		if s, ok := v.(string); ok {
			if u, err := url.PathUnescape(s); err == nil {
				s = u
			}
			req.Params[string(k)] = s
		}
	})
	for k, v := range ctx.Request.Header.All() {
		key := strings.ToLower(string(k))
		if prev, ok := req.Metadata[key]; ok {
			req.Metadata[key] = prev + ", " + string(v)
		} else {
			req.Metadata[key] = string(v)
		}
	}
	if q := ctx.QueryArgs(); q.Len() > 0 {
		req.Query = map[string][]string{}
		for k, v := range q.All() {
			req.Query[string(k)] = append(req.Query[string(k)], string(v))
		}
	}
	return req
}

func writeResponse(ctx *fasthttp.RequestCtx, resp *endpoint.Response) {
	if resp == nil {
		ctx.SetStatusCode(fasthttp.StatusNoContent)
		return
	}
	status := resp.Status
	if status == 0 {
		status = fasthttp.StatusOK
	}
	ctx.SetStatusCode(status)
	for k, v := range resp.Metadata {
		ctx.Response.Header.Set(k, v)
	}
	if status == fasthttp.StatusNotModified || status == fasthttp.StatusNoContent {
		return
	}
	ctx.SetBody(resp.Body)
}

func writeFault(ctx *fasthttp.RequestCtx, err error) {
	status, headers, body := fault.Render(err, string(ctx.Path()))
	ctx.Response.Reset()
	ctx.SetStatusCode(status)
	for k, v := range headers {
		ctx.Response.Header.Set(k, v)
	}
	ctx.SetBody(body)
}

func writeProblem(ctx *fasthttp.RequestCtx, status int, detail string) {
	code := fault.Internal
	switch status {
	case 400:
		code = fault.BadRequest
	case 404:
		code = fault.NotFound
	case 405:
		code = fault.MethodNotAllowed
	case 413:
		code = fault.TooLarge
	case 408:
		code = fault.Timeout
	}
	writeFault(ctx, fault.New(code, "%s", detail))
}

func problemHandler(status int, detail string) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		allow := withoutOptions(string(ctx.Response.Header.Peek("Allow")))
		writeProblem(ctx, status, detail)
		if allow != "" {
			ctx.Response.Header.Set("Allow", allow)
		}
	}
}

// withoutOptions drops OPTIONS from the router's Allow list: the binding
// does not answer OPTIONS requests.
func withoutOptions(allow string) string {
	var keep []string
	for _, m := range strings.Split(allow, ",") {
		if m = strings.TrimSpace(m); m != "" && m != "OPTIONS" {
			keep = append(keep, m)
		}
	}
	return strings.Join(keep, ", ")
}

// Details of the answers to requests fasthttp could not parse. They are
// fixed: fasthttp's errors quote the request bytes, credentials included.
const (
	detailUnparseable    = "the request could not be parsed as HTTP/1.1"
	detailHeaderTooLarge = "the request header block exceeds the server's limit"
)

// transportError answers requests fasthttp could not parse or read. No
// answer carries bytes of the request.
func (b *Binding) transportError(ctx *fasthttp.RequestCtx, err error) {
	var small *fasthttp.ErrSmallBuffer
	switch {
	case errors.As(err, &small):
		transportProblem(ctx, fasthttp.StatusRequestHeaderFieldsTooLarge, detailHeaderTooLarge)
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		writeProblem(ctx, 413, "the request body exceeds the server's limit")
	case isTimeout(err):
		transportProblem(ctx, fasthttp.StatusRequestTimeout, "the request was not received in time")
	default:
		transportProblem(ctx, fasthttp.StatusBadRequest, detailUnparseable)
	}
	ctx.SetConnectionClose()
}

// transportProblem writes an RFC 9457 problem document with status and the
// fixed detail, and no instance: the request target may be what failed to
// parse.
func transportProblem(ctx *fasthttp.RequestCtx, status int, detail string) {
	body, _ := json.Marshal(fault.Problem{Type: "about:blank", Title: fasthttp.StatusMessage(status), Status: status, Detail: detail})
	ctx.Response.Reset()
	ctx.SetStatusCode(status)
	ctx.Response.Header.SetContentType(fault.ProblemContentType)
	ctx.SetBody(body)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
