package http

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	nethttp "net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
)

func testEndpoints() []endpoint.Endpoint {
	return []endpoint.Endpoint{
		{Method: "GET", Route: "/echo/{id}", Handler: func(_ context.Context, r *endpoint.Request) (*endpoint.Response, error) {
			return endpoint.Encode(200, map[string]any{"id": r.Param("id"), "q": r.Query.Get("q"), "h": r.Metadata.Get("X-Test"), "scheme": r.Scheme, "path": r.Path, "authority": r.Authority})
		}},
		{Method: "POST", Route: "/echo/{id}", Handler: func(_ context.Context, r *endpoint.Request) (*endpoint.Response, error) {
			return &endpoint.Response{Status: 201, Metadata: endpoint.Metadata{"content-type": "text/plain", "etag": `"x"`}, Body: r.Body}, nil
		}},
		{Method: "GET", Route: "/fail", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
			return nil, fault.New(fault.Unprocessable, "bad thing").WithViolations([]fault.Violation{{Field: "a.b", Message: "required"}})
		}},
		{Method: "GET", Route: "/panic", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
			panic("boom")
		}},
		{Method: "GET", Route: "/empty", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
			return nil, nil
		}},
	}
}

func start(t *testing.T, raw string) (*Binding, string) {
	t.Helper()
	b := &Binding{}
	if err := config.DecodeModule("t.json", "bindings[0].config", []byte(raw), b.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	env := &module.Env{ID: ID, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Endpoints: testEndpoints()}
	if err := b.Init(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := b.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return b, b.Addr().String()
}

func problem(t *testing.T, resp *nethttp.Response) fault.Problem {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != fault.ProblemContentType {
		t.Fatalf("content type %q, want problem+json", ct)
	}
	var p fault.Problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRequestReachesHandlerWithoutProtocolTypes(t *testing.T) {
	_, addr := start(t, `{"listen":"127.0.0.1:0"}`)
	req, _ := nethttp.NewRequest("GET", "http://"+addr+"/echo/a%2Fb?q=1", nil)
	req.Header.Set("X-Test", "yes")
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&got)
	if resp.StatusCode != 200 || got["id"] != "a/b" || got["q"] != "1" || got["h"] != "yes" || got["scheme"] != "http" || got["path"] != "/echo/a%2Fb" || got["authority"] != addr {
		t.Fatalf("status %d, got %v", resp.StatusCode, got)
	}
}

func TestResponseCarriesStatusHeadersBody(t *testing.T) {
	_, addr := start(t, `{"listen":"127.0.0.1:0"}`)
	resp, err := nethttp.Post("http://"+addr+"/echo/1", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 || resp.Header.Get("ETag") != `"x"` || string(body) != "hello" {
		t.Fatalf("got %d %v %q", resp.StatusCode, resp.Header, body)
	}
}

func TestErrorsAreProblemDocuments(t *testing.T) {
	_, addr := start(t, `{"listen":"127.0.0.1:0"}`)
	cases := []struct {
		method, path string
		status       int
	}{
		{"GET", "/fail", 422},
		{"GET", "/nowhere", 404},
		{"DELETE", "/echo/1", 405},
		{"GET", "/panic", 500},
		{"GET", "/panic", 500}, // the server keeps serving after a panic
	}
	for _, tc := range cases {
		req, _ := nethttp.NewRequest(tc.method, "http://"+addr+tc.path, nil)
		resp, err := nethttp.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		p := problem(t, resp)
		resp.Body.Close()
		if resp.StatusCode != tc.status || p.Status != tc.status || p.Instance != tc.path || p.Type == "" || p.Title == "" {
			t.Fatalf("%s %s: status %d, problem %+v", tc.method, tc.path, resp.StatusCode, p)
		}
		if tc.status == 422 && (len(p.Errors) != 1 || p.Errors[0].Field != "a.b") {
			t.Fatalf("violations not carried: %+v", p)
		}
		if tc.status == 405 && resp.Header.Get("Allow") == "" {
			t.Fatalf("405 without Allow")
		}
	}
}

func TestNilResponseIs204(t *testing.T) {
	_, addr := start(t, `{"listen":"127.0.0.1:0"}`)
	resp, err := nethttp.Get("http://" + addr + "/empty")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	_, addr := start(t, `{"listen":"127.0.0.1:0","maxBodyBytes":1024}`)
	resp, err := nethttp.Post("http://"+addr+"/echo/1", "text/plain", bytes.NewReader(make([]byte, 4096)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if p := problem(t, resp); resp.StatusCode != 413 || p.Status != 413 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestMalformedRequestIs400(t *testing.T) {
	_, addr := start(t, `{"listen":"127.0.0.1:0"}`)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET /echo/1 HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
	resp, err := nethttp.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	problem(t, resp)
}

func TestPortInUseFailsStartWithAdvice(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	b := &Binding{}
	_ = config.DecodeModule("t.json", "b", []byte(`{"listen":"`+ln.Addr().String()+`"}`), b.ConfigTarget())
	if err := b.Init(context.Background(), &module.Env{Logger: slog.Default()}); err != nil {
		t.Fatal(err)
	}
	err = b.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "is another process using the port") {
		t.Fatalf("error = %v", err)
	}
	_ = b.Close(context.Background())
}

func TestConfigValidation(t *testing.T) {
	cases := map[string]string{
		`{}`:                                 "b.listen: required",
		`{"listen":"nohost"}`:                "b.listen: address nohost: missing port",
		`{"listen":":1","tls":{"cert":"c"}}`: "b.tls.key: required",
		`{"listen":":1","tls":{"cert":"c","key":"k","minVersion":"1.1"}}`: `b.tls.minVersion: "1.1" is not supported`,
		`{"listen":":1","readTimeout":"0s"}`:                              "b.readTimeout: must be positive",
	}
	for raw, want := range cases {
		var c Config
		err := config.DecodeModule("t.json", "b", []byte(raw), &c)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error = %v, want %q", raw, err, want)
		}
	}
}

func TestUnreadableTLSFilesFailInit(t *testing.T) {
	b := &Binding{}
	_ = config.DecodeModule("t.json", "b", []byte(`{"listen":"127.0.0.1:0","tls":{"cert":"/nonexistent/c.pem","key":"/nonexistent/k.pem"}}`), b.ConfigTarget())
	err := b.Init(context.Background(), &module.Env{Logger: slog.Default()})
	if err == nil || !strings.Contains(err.Error(), "cannot read /nonexistent/c.pem") {
		t.Fatalf("error = %v", err)
	}
}

func writeCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	_ = os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestTLSMinimumVersion(t *testing.T) {
	cert, key, pool := writeCert(t)
	for _, tc := range []struct {
		min       string
		clientMax uint16
		ok        bool
	}{
		{"", tls.VersionTLS13, true},
		{"", tls.VersionTLS12, false}, // 1.3 is the default minimum
		{"1.2", tls.VersionTLS12, true},
	} {
		raw := `{"listen":"127.0.0.1:0","tls":{"cert":"` + cert + `","key":"` + key + `"`
		if tc.min != "" {
			raw += `,"minVersion":"` + tc.min + `"`
		}
		_, addr := start(t, raw+`}}`)
		client := &nethttp.Client{Transport: &nethttp.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tc.clientMax}}}
		resp, err := client.Get("https://" + addr + "/echo/1")
		if tc.ok != (err == nil) {
			t.Fatalf("min %q client max %x: err = %v", tc.min, tc.clientMax, err)
		}
		if err == nil {
			var got map[string]string
			_ = json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
			if got["scheme"] != "https" {
				t.Fatalf("scheme %q", got["scheme"])
			}
		}
		client.CloseIdleConnections()
	}
}

func TestHeadIsGetWithoutBody(t *testing.T) {
	_, addr := start(t, `{"listen":"127.0.0.1:0"}`)
	resp, err := nethttp.Head("http://" + addr + "/echo/1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("HEAD: %d %v %q", resp.StatusCode, resp.Header, body)
	}
}

func TestAllowListsOnlyServedMethods(t *testing.T) {
	_, addr := start(t, `{"listen":"127.0.0.1:0"}`)
	req, _ := nethttp.NewRequest("PATCH", "http://"+addr+"/echo/1", nil)
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if allow := resp.Header.Get("Allow"); resp.StatusCode != 405 || strings.Contains(allow, "OPTIONS") || !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Fatalf("405 Allow %q", allow)
	}
}

func TestProxyHeadersOnlyWhenTrusted(t *testing.T) {
	for _, tc := range []struct {
		cfg, header, value, scheme, authority string
	}{
		{`{"listen":"127.0.0.1:0"}`, "X-Forwarded-Proto", "https", "http", ""},
		{`{"listen":"127.0.0.1:0","trustProxyHeaders":true}`, "X-Forwarded-Proto", "https", "https", ""},
		{`{"listen":"127.0.0.1:0","trustProxyHeaders":true}`, "Forwarded", `for=1.2.3.4;proto=https;host="wfm.example.com"`, "https", "wfm.example.com"},
	} {
		_, addr := start(t, tc.cfg)
		req, _ := nethttp.NewRequest("GET", "http://"+addr+"/echo/1", nil)
		req.Header.Set(tc.header, tc.value)
		resp, err := nethttp.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		want := tc.authority
		if want == "" {
			want = addr
		}
		if got["scheme"] != tc.scheme || got["authority"] != want {
			t.Fatalf("%s %s: scheme %q authority %q", tc.cfg, tc.value, got["scheme"], got["authority"])
		}
	}
}
