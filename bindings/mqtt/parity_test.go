package mqtt_test

import (
	"bytes"
	"context"
	"io"
	nethttp "net/http"
	"strings"
	"testing"
	"time"

	httpbinding "github.com/cadenza-edge/cadenza/bindings/http"
	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// exchange is one request of the shared table and what came back.
type exchange struct {
	name, method, target, contentType, body string
	status                                  int // expected on both bindings
}

// result is what a client observes of a reply.
type result struct {
	status                  int
	contentType, allow, ret string
	body                    []byte
}

// parityTable runs in order on fresh vendors behind each binding; every
// step must give the same status, content type and body over both.
var parityTable = []exchange{
	{"empty list", "GET", "/notes", "", "", 200},
	{"create", "PUT", "/notes/a", "application/json", `{"text":"hello"}`, 201},
	{"update", "PUT", "/notes/a", "application/json", `{"text":"hello again"}`, 200},
	{"read", "GET", "/notes/a", "", "", 200},
	{"head", "HEAD", "/notes/a", "", "", 200},
	{"list", "GET", "/notes", "", "", 200},
	{"params and query", "GET", "/notes/a%20b/echo?q=1&q=two&x=%2F", "", "", 200},
	{"422 with violations", "PUT", "/notes/b", "application/json", `{"text":""}`, 422},
	{"400 malformed JSON", "PUT", "/notes/b", "application/json", `{"text":`, 400},
	{"400 unknown member", "PUT", "/notes/b", "application/json", `{"text":"x","extra":1}`, 400},
	{"415 not JSON", "PUT", "/notes/b", "text/plain", `text`, 415},
	{"413 endpoint limit", "PUT", "/notes/b", "application/json", `{"text":"` + strings.Repeat("x", 5000) + `"}`, 413},
	{"404 from the handler", "GET", "/notes/zzz", "", "", 404},
	{"404 escaped instance", "GET", "/notes/a%20b", "", "", 404},
	{"404 no route", "GET", "/nowhere/at/all", "", "", 404},
	{"405 with allow", "DELETE", "/notes", "", "", 405},
	{"405 lower-case method", "get", "/notes", "", "", 405},
	{"delete", "DELETE", "/notes/a", "", "", 204},
	{"catch-all put", "PUT", "/files/gw/child/a.bin", "application/octet-stream", "\x00\x01\xff\xfe binary \r\n", 201},
	{"catch-all get", "GET", "/files/gw/child/a.bin", "", "", 200},
	{"catch-all escaped slashes", "GET", "/files/gw%2Fchild%2Fa.bin", "", "", 200},
	{"catch-all empty", "GET", "/files/", "", "", 404},
	{"catch-all too large", "PUT", "/files/big", "application/octet-stream", strings.Repeat("b", 2000), 413},
	{"panic", "GET", "/boom", "", "", 500},
	{"after a panic", "GET", "/notes", "", "", 200},
	{"custom status", "GET", "/teapot", "", "", 418},
	{"retry-after", "GET", "/busy", "", "", 503},
	{"nil response", "GET", "/empty", "", "", 204},
	{"internal error hidden", "GET", "/internal", "", "", 500},
}

func TestSameEndpointTableOverHTTPAndMQTT(t *testing.T) {
	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	startBinding(t, broker, prefix, "", observed(allVendors(nil)))
	overMQTT := newClient(t, broker, prefix)
	httpAddr := startHTTP(t, observed(allVendors(nil)))

	for _, tc := range parityTable {
		h := viaHTTP(t, httpAddr, tc)
		m := viaMQTT(t, overMQTT, tc)
		if h.status != tc.status {
			t.Errorf("%s: HTTP status %d, want %d (%s)", tc.name, h.status, tc.status, h.body)
		}
		if m.status != h.status || m.contentType != h.contentType || !bytes.Equal(m.body, h.body) || m.allow != h.allow || m.ret != h.ret {
			t.Errorf("%s: %s %s differs\n HTTP %d %q allow %q retry-after %q %q\n MQTT %d %q allow %q retry-after %q %q",
				tc.name, tc.method, tc.target, h.status, h.contentType, h.allow, h.ret, h.body, m.status, m.contentType, m.allow, m.ret, m.body)
		}
	}
}

// startHTTP serves eps with bindings.http on a loopback port.
func startHTTP(t *testing.T, eps []endpoint.Endpoint) string {
	t.Helper()
	b := &httpbinding.Binding{}
	if err := config.DecodeModule("t.json", "bindings[0].config", []byte(`{"listen":"127.0.0.1:0"}`), b.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	if err := b.Init(context.Background(), &module.Env{ID: httpbinding.ID, Logger: quiet, Endpoints: eps}); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.Close(ctx)
	})
	return b.Addr().String()
}

func viaHTTP(t *testing.T, addr string, tc exchange) result {
	t.Helper()
	req, err := nethttp.NewRequest(tc.method, "http://"+addr+tc.target, strings.NewReader(tc.body))
	if err != nil {
		t.Fatal(err)
	}
	if tc.contentType != "" {
		req.Header.Set("Content-Type", tc.contentType)
	}
	req.Header.Set("X-Test", "yes")
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", tc.name, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), allow: resp.Header.Get("Allow"), ret: resp.Header.Get("Retry-After"), body: body}
}

func viaMQTT(t *testing.T, c interface {
	Do(context.Context, string, string, endpoint.Metadata, []byte) (*endpoint.Response, error)
}, tc exchange) result {
	t.Helper()
	md := endpoint.Metadata{"x-test": "yes"}
	if tc.contentType != "" {
		md.Set("content-type", tc.contentType)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := c.Do(ctx, tc.method, tc.target, md, []byte(tc.body))
	if err != nil {
		t.Fatalf("%s: %v", tc.name, err)
	}
	return result{status: resp.Status, contentType: resp.Metadata.Get("content-type"), allow: resp.Metadata.Get("allow"), ret: resp.Metadata.Get("retry-after"), body: resp.Body}
}
