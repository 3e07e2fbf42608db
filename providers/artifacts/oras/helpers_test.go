package oras

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// testMediaType is the content layer type of the test artifacts.
const testMediaType = "application/vnd.cadenza.test.v1.tar+gzip"

// newTestPuller returns a Puller with a fresh cache, fast retries and cfg
// changed by mutate; it is closed at cleanup.
func newTestPuller(t testing.TB, mutate func(*Config)) *Puller {
	t.Helper()
	p, _ := newCountingPuller(t, mutate)
	return p
}

// newCountingPuller is newTestPuller that also counts retries.
func newCountingPuller(t testing.TB, mutate func(*Config)) (*Puller, *atomic.Int64) {
	t.Helper()
	var cfg Config
	cfg.Defaults()
	cfg.CacheDir = t.TempDir()
	cfg.Backoff = config.Duration(10 * time.Millisecond)
	cfg.Timeout = config.Duration(30 * time.Second)
	if mutate != nil {
		mutate(&cfg)
	}
	retries := &atomic.Int64{}
	h := countHandler{Handler: slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}), retries: retries}
	p, err := New(cfg, slog.New(h))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p, retries
}

// newQuietPuller is newTestPuller without logs, for benchmarks.
func newQuietPuller(t testing.TB, mutate func(*Config)) *Puller {
	t.Helper()
	var cfg Config
	cfg.Defaults()
	cfg.CacheDir = t.TempDir()
	mutate(&cfg)
	p, err := New(cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p
}

// countHandler counts the "retrying" log records.
type countHandler struct {
	slog.Handler
	retries *atomic.Int64
}

func (h countHandler) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasSuffix(r.Message, "retrying") {
		h.retries.Add(1)
	}
	return h.Handler.Handle(ctx, r)
}

func (h countHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return countHandler{Handler: h.Handler.WithAttrs(attrs), retries: h.retries}
}

func (h countHandler) WithGroup(name string) slog.Handler {
	return countHandler{Handler: h.Handler.WithGroup(name), retries: h.retries}
}

// plain configures host as a plain-HTTP registry.
func plain(hosts ...string) func(*Config) {
	return func(c *Config) {
		c.Registries = map[string]Registry{}
		for _, h := range hosts {
			c.Registries[h] = Registry{PlainHTTP: true}
		}
	}
}

// testWriter sends log lines to t.Log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// randomBytes returns n random bytes.
func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// proxy is a reverse proxy in front of a registry that counts blob
// downloads and can be told to fail or answer requests its own way.
type proxy struct {
	Host        string
	blobFetches atomic.Int64
	requests    atomic.Int64

	mu     sync.Mutex
	handle func(w http.ResponseWriter, r *http.Request) bool // true: answered, do not forward
}

// newProxy starts a proxy to reg, closed at cleanup.
func newProxy(t testing.TB, reg *testserver.RegistryServer) *proxy {
	t.Helper()
	target, err := url.Parse(reg.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		p.mu.Lock()
		handle := p.handle
		p.mu.Unlock()
		if handle != nil && handle(w, r) {
			return
		}
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/") {
			p.blobFetches.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.Host = strings.TrimPrefix(srv.URL, "http://")
	return p
}

// intercept sets the function that may answer requests before they are
// forwarded (nil forwards everything).
func (p *proxy) intercept(h func(w http.ResponseWriter, r *http.Request) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.handle = h
}

// wantCode fails the test unless err carries code and its message contains
// every hint.
func wantCode(t testing.TB, err error, code fault.Code, hints ...string) {
	t.Helper()
	if fault.CodeOf(err) != code {
		t.Fatalf("error %v has code %q, want %q", err, fault.CodeOf(err), code)
	}
	for _, h := range hints {
		if !strings.Contains(err.Error(), h) {
			t.Fatalf("error %q does not mention %q", err, h)
		}
	}
}

// pushRandom pushes n random bytes as a single-layer artifact and returns
// them with the manifest digest.
func pushRandom(t testing.TB, reg *testserver.RegistryServer, ref string, n int) ([]byte, string) {
	t.Helper()
	data := randomBytes(t, n)
	return data, reg.Push(t, ref, testMediaType, data)
}

// sameFile fails the test unless path holds want.
func sameFile(t testing.TB, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes, %v; want the %d pushed bytes", path, len(got), err, len(want))
	}
}
