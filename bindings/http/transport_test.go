package http

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	nethttp "net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// secret is a credential the malformed requests carry; no answer may hold it.
const secret = "secret-token-xyz"

// rawExchange writes req on a new TCP connection to addr and reads the whole
// answer: the binding closes the connection after a transport error. A
// reset after the answer is accepted: the server closes with request bytes
// it never read, which resets the connection once the answer is sent (the
// answer is checked whole by the caller). The deadline only keeps a broken
// server from hanging the test.
func rawExchange(t *testing.T, addr, req string) []byte {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatalf("write: %v", err)
	}
	raw, err := io.ReadAll(c)
	if err != nil && !(errors.Is(err, syscall.ECONNRESET) && len(raw) > 0) {
		t.Fatalf("read the answer: %v (got %q)", err, raw)
	}
	return raw
}

// wantTransportProblem fails unless raw is an answer with status and an
// RFC 9457 problem document with that status and detail, and holds neither
// the request's credential nor any instance (the request target).
func wantTransportProblem(t *testing.T, raw []byte, status int, detail string) {
	t.Helper()
	if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte("Bearer")) {
		t.Fatalf("the answer reflects the request's Authorization header:\n%s", raw)
	}
	resp, err := nethttp.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	if err != nil {
		t.Fatalf("not an HTTP answer: %v\n%s", err, raw)
	}
	defer resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d\n%s", resp.StatusCode, status, raw)
	}
	if ct := resp.Header.Get("Content-Type"); ct != fault.ProblemContentType {
		t.Fatalf("content type %q, want %s", ct, fault.ProblemContentType)
	}
	var p map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatalf("problem body: %v", err)
	}
	if p["status"] != float64(status) || p["detail"] != detail || p["type"] != "about:blank" || p["title"] != nethttp.StatusText(status) {
		t.Fatalf("problem %v, want status %d, detail %q", p, status, detail)
	}
	if _, ok := p["instance"]; ok {
		t.Fatalf("problem %v names an instance taken from an unparsed request", p)
	}
}

func TestMalformedRequestIsNotReflected(t *testing.T) {
	_, addr := start(t, `{"listen":"127.0.0.1:0"}`)
	const auth = "Authorization: Bearer " + secret + "\r\n"
	cases := []struct{ name, req string }{
		{"unparseable Content-Length", "GET /echo/1 HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: nope\r\n\r\n"},
		{"no Host", "GET /echo/1 HTTP/1.1\r\n" + auth + "\r\n"},
		{"two Content-Lengths", "POST /echo/1 HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab"},
		{"credential in the target", "GET /echo/" + secret + " HTTP/1.1 junk\r\nHost: x\r\n" + auth + "Content-Length: -1\r\n\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantTransportProblem(t, rawExchange(t, addr, tc.req), 400, detailUnparseable)
		})
	}
}

func TestOversizeHeaderBlockIs431(t *testing.T) {
	_, addr := start(t, `{"listen":"127.0.0.1:0"}`)
	head := "GET /echo/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + secret + "\r\nX-Big: "
	pad := func(n int) string { return strings.Repeat("a", n-len(head)) }
	cases := []struct{ name, req string }{
		// Exactly a full buffer and no end yet: the block is over the limit
		// and the server reads every byte sent.
		{"unterminated block filling the buffer", head + pad(maxHeaderBytes)},
		{"complete block over the limit", head + pad(maxHeaderBytes+512) + "\r\n\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantTransportProblem(t, rawExchange(t, addr, tc.req), 431, detailHeaderTooLarge)
		})
	}
}

// A request whose header block does not arrive within readTimeout is
// answered 408 Request Timeout (not 504: no upstream timed out).
func TestRequestNotReceivedInTimeIs408(t *testing.T) {
	_, addr := start(t, `{"listen":"127.0.0.1:0","readTimeout":"200ms"}`)
	raw := rawExchange(t, addr, "GET /echo/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+secret+"\r\n")
	wantTransportProblem(t, raw, 408, "the request was not received in time")
}
