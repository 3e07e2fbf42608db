package http

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/runner"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

var okBody = []byte(`{"ok":true}`)

func trivial() []endpoint.Endpoint {
	return []endpoint.Endpoint{{Method: "GET", Route: "/things/{id}", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
		return endpoint.JSON(200, okBody), nil
	}}}
}

func benchBinding(b *testing.B, eps []endpoint.Endpoint) *Binding {
	bd := &Binding{}
	if err := config.DecodeModule("b.json", "b", []byte(`{"listen":"127.0.0.1:0"}`), bd.ConfigTarget()); err != nil {
		b.Fatal(err)
	}
	if err := bd.Init(context.Background(), &module.Env{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Endpoints: eps}); err != nil {
		b.Fatal(err)
	}
	return bd
}

// BenchmarkDispatch is the binding's own cost per request: routing, the
// translation to and from endpoint types, and the response, without sockets.
func BenchmarkDispatch(b *testing.B) {
	bd := benchBinding(b, trivial())
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	for b.Loop() {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.SetRequestURI("/things/42?x=1")
		ctx.Request.Header.SetMethod("GET")
		ctx.Request.Header.Set("Accept", "application/json")
		bd.server.Handler(&ctx)
		if ctx.Response.StatusCode() != 200 {
			b.Fatal(ctx.Response.StatusCode())
		}
	}
}

// BenchmarkDispatchObserved adds the host's middleware (span, metrics, panic
// recovery) with no-op telemetry providers.
func BenchmarkDispatchObserved(b *testing.B) {
	eps := runner.Observe(trivial(), runner.Options{})
	bd := benchBinding(b, eps)
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	for b.Loop() {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.SetRequestURI("/things/42")
		ctx.Request.Header.SetMethod("GET")
		bd.server.Handler(&ctx)
		if ctx.Response.StatusCode() != 200 {
			b.Fatal(ctx.Response.StatusCode())
		}
	}
}

// BenchmarkRoundTrip is one keep-alive request and response through the
// HTTP/1.1 server over an in-memory connection.
func BenchmarkRoundTrip(b *testing.B) {
	bd := benchBinding(b, trivial())
	ln := fasthttputil.NewInmemoryListener()
	go func() { _ = bd.server.Serve(ln) }()
	defer func() { _ = bd.server.Shutdown(); ln.Close() }()
	client := &fasthttp.HostClient{Addr: "bench", Dial: func(string) (net.Conn, error) { return ln.Dial() }}
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	req.SetRequestURI("http://bench/things/42")
	b.ReportAllocs()
	for b.Loop() {
		if err := client.Do(req, resp); err != nil || resp.StatusCode() != 200 {
			b.Fatal(err, resp.StatusCode())
		}
	}
}
