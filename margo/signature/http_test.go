package signature

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// verifyingHandler verifies every request with FromRequest and Verifier and
// echoes the body back, or renders the failure as a problem document.
func verifyingHandler(pub crypto.PublicKey) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(err error) {
			status, headers, body := fault.Render(err, r.URL.Path)
			for k, v := range headers {
				w.Header().Set(k, v)
			}
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}
		m, err := FromRequest(r)
		if err != nil {
			fail(err)
			return
		}
		v := &Verifier{}
		if _, err := v.Verify(m, m.Headers["signature-input"], m.Headers["signature"], pub); err != nil {
			fail(err)
			return
		}
		body, _ := io.ReadAll(r.Body) // FromRequest put the body back
		_, _ = w.Write(body)
	})
}

// tamper is a RoundTripper that changes a signed request before sending it.
type tamper struct {
	base http.RoundTripper
	f    func(r *http.Request)
}

func (t tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	t.f(r)
	return t.base.RoundTrip(r)
}

// TestTransportInterop: a client signing through Transport talks to a TLS
// server verifying with FromRequest and Verifier; tampering in flight is
// rejected with 400 (digest) or 401 (signature).
func TestTransportInterop(t *testing.T) {
	tests := []struct {
		name       string
		key        string
		method     string
		path       string
		body       string
		tamper     func(r *http.Request)
		wantStatus int
		wantType   string
	}{
		{"signed GET", testKeyP256, "GET", "/api/v1/clients/c1/deployments", "", nil, 200, ""},
		{"signed POST with body", testKeyP256, "POST", "/api/v1/clients/c1/deployments/d1/status", testBody, nil, 200, ""},
		{"signed PUT with query, P-384", testKeyP384, "PUT", "/api/v1/clients/c1/capabilities/dev-1?x=1&y=%2F", testBody, nil, 200, ""},
		{"signed POST, RSA", testKeyRSA2048, "POST", "/api/v1/clients/c1/deployments/d1/status", testBody, nil, 200, ""},
		{"body swapped in flight", testKeyP256, "POST", "/status", testBody, func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"evil":1}`))
			r.ContentLength = 10
		}, 400, document.ProblemInvalidDigestHeader},
		{"path changed in flight", testKeyP256, "GET", "/api/v1/clients/c1/deployments", "", func(r *http.Request) {
			r.URL.Path = "/api/v1/clients/c2/deployments"
		}, 401, document.ProblemSignatureVerificationFailed},
		{"signature stripped in flight", testKeyP256, "GET", "/x", "", func(r *http.Request) {
			r.Header.Del("Signature")
		}, 401, document.ProblemSignatureVerificationFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := parseKey(t, tt.key)
			srv := httptest.NewTLSServer(verifyingHandler(key.Public()))
			defer srv.Close()
			client := srv.Client()
			var base http.RoundTripper = client.Transport
			if tt.tamper != nil {
				base = tamper{base: base, f: tt.tamper}
			}
			client.Transport = &Transport{Base: base, Signer: &Signer{Key: key}}
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequestWithContext(context.Background(), tt.method, srv.URL+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d (%s), want %d", resp.StatusCode, got, tt.wantStatus)
			}
			if tt.wantStatus == 200 && string(got) != tt.body {
				t.Errorf("echoed body = %q, want %q", got, tt.body)
			}
			if tt.wantType != "" && !bytes.Contains(got, []byte(tt.wantType)) {
				t.Errorf("problem = %s, want type %s", got, tt.wantType)
			}
			if req.Header.Get("Signature") != "" {
				t.Error("Transport modified the caller's request")
			}
		})
	}
}

// TestSignRequest: the request gets Content-Digest, Signature-Input and
// Signature, and its body stays readable and replayable.
func TestSignRequest(t *testing.T) {
	tests := []struct {
		name       string
		body       io.Reader
		wantDigest bool
	}{
		{"with body", strings.NewReader(testBody), true},
		{"without body", nil, false},
		{"with empty body", strings.NewReader(""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(context.Background(), "POST", "https://wfm.example.com/api/v1/x?y=1", tt.body)
			if err != nil {
				t.Fatal(err)
			}
			key := parseKey(t, testKeyP256)
			if err := SignRequest(req, &Signer{Key: key, Now: testNow}); err != nil {
				t.Fatal(err)
			}
			if got := req.Header.Get("Content-Digest") != ""; got != tt.wantDigest {
				t.Errorf("Content-Digest present = %v, want %v", got, tt.wantDigest)
			}
			if req.Header.Get("Signature-Input") == "" || req.Header.Get("Signature") == "" {
				t.Fatal("signature fields not set")
			}
			var body, replay []byte
			if req.Body != nil {
				body, _ = io.ReadAll(req.Body)
				again, _ := req.GetBody()
				replay, _ = io.ReadAll(again)
			}
			if !bytes.Equal(body, replay) || (tt.wantDigest && string(body) != testBody) {
				t.Errorf("body = %q, replay = %q", body, replay)
			}
			m := &Message{
				Method: "POST", TargetURI: "https://wfm.example.com/api/v1/x?y=1",
				Headers: map[string]string{"content-digest": req.Header.Get("Content-Digest")}, Body: body,
			}
			if _, err := (&Verifier{Now: testNow}).Verify(m, req.Header.Get("Signature-Input"), req.Header.Get("Signature"), key.Public()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// errReader fails every read.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

// TestTransportErrors: signing failures surface as RoundTrip errors.
func TestTransportErrors(t *testing.T) {
	tests := []struct {
		name string
		tr   *Transport
		body io.Reader
		want string
	}{
		{"no signer", &Transport{}, nil, "no signer"},
		{"unreadable body", &Transport{Signer: &Signer{Key: parseKey(t, testKeyP256)}}, errReader{}, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(context.Background(), "POST", "https://h.example/", tt.body)
			if _, err := tt.tr.RoundTrip(req); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestFromRequest: the server-side Message has the scheme, authority,
// target URI, combined header values and body of the request.
func TestFromRequest(t *testing.T) {
	tests := []struct {
		name      string
		req       func() *http.Request
		wantURI   string
		wantAuth  string
		wantErr   fault.Code
		wantBody  string
		wantValue string // value of x-multi
	}{
		{"TLS origin-form", func() *http.Request {
			r := httptest.NewRequest("POST", "https://wfm.example.com:8443/a/b?c=d", strings.NewReader("hi"))
			r.RequestURI = "/a/b?c=d"
			r.Header.Add("X-Multi", " one ")
			r.Header.Add("X-Multi", "two")
			return r
		}, "https://wfm.example.com:8443/a/b?c=d", "wfm.example.com:8443", "", "hi", "one, two"},
		{"plain HTTP", func() *http.Request {
			r := httptest.NewRequest("GET", "/x", nil)
			return r
		}, "http://example.com/x", "example.com", "", "", ""},
		{"absolute-form request line", func() *http.Request {
			return httptest.NewRequest("GET", "http://proxy.example/p?q", nil)
		}, "http://proxy.example/p?q", "proxy.example", "", "", ""},
		{"no Host", func() *http.Request {
			r := httptest.NewRequest("GET", "/x", nil)
			r.Host = ""
			return r
		}, "", "", fault.BadRequest, "", ""},
		{"body too large", func() *http.Request {
			return httptest.NewRequest("POST", "/x", io.LimitReader(zeros{}, MaxRequestBody+1))
		}, "", "", fault.TooLarge, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.req()
			m, err := FromRequest(r)
			if tt.wantErr != "" {
				if fault.CodeOf(err) != tt.wantErr {
					t.Fatalf("error = %v, want code %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.TargetURI != tt.wantURI || m.Authority != tt.wantAuth || string(m.Body) != tt.wantBody ||
				m.Headers["x-multi"] != tt.wantValue {
				t.Errorf("Message = %+v", m)
			}
			if again, _ := io.ReadAll(r.Body); string(again) != tt.wantBody {
				t.Errorf("body not restored: %q", again)
			}
		})
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestFromEndpoint: a coa endpoint request maps onto a Message that verifies.
func TestFromEndpoint(t *testing.T) {
	key := parseKey(t, testKeyP256)
	req := &endpoint.Request{
		Method: "POST", Scheme: "https", Authority: "wfm.example.com", Path: "/api/v1/clients/c1/deployments/d1/status",
		Metadata: endpoint.Metadata{"content-type": "application/json"}, Body: []byte(testBody),
	}
	m := FromEndpoint(req)
	in, sig, err := (&Signer{Key: key, Now: testNow}).Sign(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&Verifier{Now: testNow}).Verify(FromEndpoint(req), in, sig, key.Public()); err != nil {
		t.Fatal(err)
	}
	if FromEndpoint(nil) == nil {
		t.Error("FromEndpoint(nil) = nil")
	}
}
