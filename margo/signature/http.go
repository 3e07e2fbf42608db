package signature

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
)

// MaxRequestBody bounds the body FromRequest reads into memory.
const MaxRequestBody = 16 << 20

// SignRequest signs a client request in place: it reads the body (and puts
// it back, with GetBody, so the request can be sent and retried), sets
// Content-Digest when there is a body, and sets Signature-Input and
// Signature. The target URI is built from r.URL and the Host the transport
// will send (r.Host, else r.URL.Host).
func SignRequest(r *http.Request, s *Signer) error {
	if r == nil || r.URL == nil {
		return errors.New("signature: nil request")
	}
	body, err := readBody(r, -1)
	if err != nil {
		return fmt.Errorf("signature: read request body: %w", err)
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	scheme := r.URL.Scheme
	if scheme == "" {
		scheme = "https"
	}
	m := &Message{
		Method:    r.Method,
		TargetURI: scheme + "://" + host + r.URL.RequestURI(),
		Authority: host,
		Headers:   map[string]string{},
		Body:      body,
	}
	if m.Method == "" {
		m.Method = http.MethodGet
	}
	if cd := r.Header.Values(FieldContentDigest); len(cd) > 0 {
		m.Headers[ComponentContentDigest] = strings.Join(cd, ", ")
	}
	input, sig, err := s.Sign(m)
	if err != nil {
		return err
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	if cd, ok := m.Headers[ComponentContentDigest]; ok && len(body) > 0 {
		r.Header.Set(FieldContentDigest, cd)
	}
	r.Header.Set(FieldSignatureInput, input)
	r.Header.Set(FieldSignature, sig)
	return nil
}

// FromRequest builds the Message of a request received by a net/http
// server. The scheme is https when the connection used TLS (or the request
// line was absolute-form with a scheme), http otherwise; the authority is
// r.Host. A server behind a TLS-terminating proxy must fix TargetURI (e.g.
// from Forwarded) before verifying. The body is read (at most
// MaxRequestBody bytes) and put back so handlers can read it again.
func FromRequest(r *http.Request) (*Message, error) {
	if r == nil || r.URL == nil {
		return nil, fault.New(fault.BadRequest, "no request")
	}
	if r.Host == "" {
		return nil, fault.New(fault.BadRequest, "request has no Host")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	} else if r.URL.Scheme != "" {
		scheme = strings.ToLower(r.URL.Scheme)
	}
	reqTarget := r.RequestURI
	if reqTarget == "" {
		reqTarget = r.URL.RequestURI()
	}
	target := scheme + "://" + r.Host + reqTarget
	if !strings.HasPrefix(reqTarget, "/") && strings.Contains(reqTarget, "://") {
		target = reqTarget // absolute-form request line
	}
	body, err := readBody(r, MaxRequestBody)
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return nil, fault.New(fault.TooLarge, "request body is larger than %d bytes", MaxRequestBody)
		}
		return nil, fault.Wrap(err, fault.BadRequest, "cannot read the request body")
	}
	headers := make(map[string]string, len(r.Header)+1)
	for name, values := range r.Header {
		trimmed := make([]string, len(values))
		for i, v := range values {
			trimmed[i] = trimOWS(v)
		}
		headers[strings.ToLower(name)] = strings.Join(trimmed, ", ")
	}
	if _, ok := headers["host"]; !ok {
		headers["host"] = r.Host
	}
	return &Message{
		Method:    r.Method,
		TargetURI: target,
		Authority: r.Host,
		Headers:   headers,
		Body:      body,
	}, nil
}

// FromEndpoint builds the Message of a request received through a coa
// endpoint binding. Metadata keys are already lower-case.
func FromEndpoint(req *endpoint.Request) *Message {
	if req == nil {
		return &Message{}
	}
	return &Message{
		Method:    req.Method,
		TargetURI: req.TargetURI(),
		Authority: req.Authority,
		Headers:   req.Metadata,
		Body:      req.Body,
	}
}

// errBodyTooLarge reports a body over the read limit.
const errBodyTooLarge constError = "body too large"

// readBody reads and closes r.Body and replaces it (and GetBody) with an
// in-memory copy. limit < 0 means no limit.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	src := io.Reader(r.Body)
	if limit >= 0 {
		src = io.LimitReader(r.Body, limit+1)
	}
	body, err := io.ReadAll(src)
	closeErr := r.Body.Close()
	if err == nil {
		err = closeErr
	}
	if err != nil {
		return nil, err
	}
	if limit >= 0 && int64(len(body)) > limit {
		return nil, errBodyTooLarge
	}
	r.ContentLength = int64(len(body))
	if len(body) == 0 {
		r.Body = http.NoBody
		r.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
		return nil, nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return body, nil
}
