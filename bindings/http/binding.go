// Package http is bindings.http: it serves every endpoint of the host over
// HTTP/1.1 (HTTPS by default, TLS 1.3) with fasthttp and fasthttp/router.
// Handlers never see fasthttp types: requests and responses are translated to
// and from the protocol-neutral endpoint types, and errors are rendered as
// RFC 9457 problem documents.
package http

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"
)

// ID is the module id.
const ID = "bindings.http"

func init() {
	module.Register(module.Registration{ID: ID, New: func() module.Module { return &Binding{} },
		Summary: "Serves the host's endpoints over HTTP/1.1 and TLS 1.3 (fasthttp)"})
}

// maxHeaderBytes is the read buffer of a connection, which bounds the
// request line and header block (twice fasthttp's default, so request lines of
// 8000 octets fit, as RFC 9112 §3 recommends): a larger block is
// answered 431.
const maxHeaderBytes = 8192

// Binding is one HTTP listener.
type Binding struct {
	cfg    Config
	log    *slog.Logger
	tls    *tls.Config
	server *fasthttp.Server
	ln     net.Listener
	base   context.Context
	cancel context.CancelFunc
	done   chan error
	mu     sync.Mutex
}

// ConfigTarget implements module.Configurable.
func (b *Binding) ConfigTarget() any { return &b.cfg }

// Addr returns the bound address once started (useful with port 0).
func (b *Binding) Addr() net.Addr {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ln == nil {
		return nil
	}
	return b.ln.Addr()
}

// Init loads TLS material and builds the router.
func (b *Binding) Init(_ context.Context, env *module.Env) error {
	b.log = env.Logger
	if b.cfg.TLS != nil {
		t, err := serverTLS(b.cfg.TLS)
		if err != nil {
			return err
		}
		b.tls = t
	}
	r := router.New()
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = true
	r.HandleOPTIONS = false
	r.NotFound = problemHandler(404, "no endpoint serves this path")
	r.MethodNotAllowed = problemHandler(405, "this path does not accept the method")
	r.PanicHandler = func(ctx *fasthttp.RequestCtx, p any) {
		b.log.Error("panic outside a handler", "panic", fmt.Sprint(p), "path", string(ctx.Path()))
		writeProblem(ctx, 500, "the server failed to handle the request; see its log")
	}
	b.base, b.cancel = context.WithCancel(context.Background())
	explicitHead := map[string]bool{}
	for _, e := range env.Endpoints {
		if e.Method == "HEAD" {
			explicitHead[e.Route] = true
		}
	}
	for _, e := range env.Endpoints {
		h := b.adapt(e)
		if err := addRoute(r, e, h); err != nil {
			return err
		}
		// HEAD is GET without the body (fasthttp omits it): RFC 9110 §9.3.2.
		if e.Method == "GET" && !explicitHead[e.Route] {
			head := e
			head.Method = "HEAD"
			if err := addRoute(r, head, h); err != nil {
				return err
			}
		}
	}
	b.server = &fasthttp.Server{
		Handler:                       r.Handler,
		Name:                          "cadenza",
		MaxRequestBodySize:            b.cfg.MaxBodyBytes,
		ReadBufferSize:                maxHeaderBytes,
		SecureErrorLogMessage:         true, // fasthttp's errors would quote request bytes (credentials) into the log
		ReadTimeout:                   b.cfg.ReadTimeout.D(),
		WriteTimeout:                  b.cfg.WriteTimeout.D(),
		IdleTimeout:                   b.cfg.IdleTimeout.D(),
		DisableKeepalive:              b.cfg.DisableKeepAlive,
		MaxConnsPerIP:                 b.cfg.MaxConnsPerIP,
		NoDefaultServerHeader:         true,
		NoDefaultContentType:          true,
		NoDefaultDate:                 false,
		DisableHeaderNamesNormalizing: false,
		ErrorHandler:                  b.transportError,
		Logger:                        fasthttpLogger{b.log},
		CloseOnShutdown:               true,
	}
	return nil
}

// addRoute registers e; the router panics on conflicting routes, which we
// turn into an error naming the route.
func addRoute(r *router.Router, e endpoint.Endpoint, h fasthttp.RequestHandler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cannot route %s %s: %v", e.Method, e.Route, p)
		}
	}()
	r.Handle(e.Method, e.Route, h)
	return nil
}

// Start binds the listener (a port in use fails here) and serves in the background.
func (b *Binding) Start(context.Context) error {
	ln, err := net.Listen("tcp", b.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another process using the port? change \"listen\")", b.cfg.Listen, err)
	}
	if b.tls != nil {
		ln = tls.NewListener(ln, b.tls)
	}
	b.mu.Lock()
	b.ln = ln
	b.mu.Unlock()
	b.done = make(chan error, 1)
	go func() { b.done <- b.server.Serve(ln) }()
	scheme := "http"
	if b.tls != nil {
		scheme = "https"
	}
	b.log.Info("serving", "url", scheme+"://"+ln.Addr().String())
	return nil
}

// Close stops accepting, waits for in-flight requests within ctx, and closes.
func (b *Binding) Close(ctx context.Context) error {
	if b.cancel != nil {
		defer b.cancel()
	}
	if b.server == nil || b.done == nil {
		return nil
	}
	err := b.server.ShutdownWithContext(ctx)
	// Shutdown does nothing when Serve has not begun yet: closing the
	// listener makes a late Serve return at once.
	_ = b.ln.Close()
	select {
	case serveErr := <-b.done:
		if serveErr != nil && !errors.Is(serveErr, net.ErrClosed) && !strings.Contains(serveErr.Error(), "use of closed") {
			err = errors.Join(err, serveErr)
		}
	case <-ctx.Done():
		err = errors.Join(err, fmt.Errorf("serving did not stop within the grace period: %w", ctx.Err()))
	}
	return err
}

// Health reports whether the listener is up.
func (b *Binding) Health(context.Context) error {
	if b.Addr() == nil {
		return errors.New("not listening")
	}
	return nil
}

type fasthttpLogger struct{ l *slog.Logger }

func (f fasthttpLogger) Printf(format string, args ...any) {
	f.l.Debug(fmt.Sprintf(format, args...))
}
