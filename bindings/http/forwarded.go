package http

import (
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/valyala/fasthttp"
)

// forwarded applies the proxy's view of the request (the first hop of
// Forwarded, else X-Forwarded-Proto and X-Forwarded-Host) to req.
func forwarded(ctx *fasthttp.RequestCtx, req *endpoint.Request) {
	if f := string(ctx.Request.Header.Peek("Forwarded")); f != "" {
		first, _, _ := strings.Cut(f, ",")
		for _, pair := range strings.Split(first, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok {
				continue
			}
			v = strings.Trim(v, `"`)
			switch strings.ToLower(k) {
			case "proto":
				if v == "http" || v == "https" {
					req.Scheme = v
				}
			case "host":
				if v != "" {
					req.Authority = v
				}
			}
		}
		return
	}
	if p := firstValue(ctx.Request.Header.Peek("X-Forwarded-Proto")); p == "http" || p == "https" {
		req.Scheme = p
	}
	if h := firstValue(ctx.Request.Header.Peek("X-Forwarded-Host")); h != "" {
		req.Authority = h
	}
}

func firstValue(b []byte) string {
	v, _, _ := strings.Cut(string(b), ",")
	return strings.TrimSpace(v)
}
