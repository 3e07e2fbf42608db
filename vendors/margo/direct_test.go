package margo

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// directRequest builds the endpoint.Request a binding would hand a handler
// for a request signed by d (unsigned when d is nil), addressed to
// http://wfm.test + path.
func directRequest(t testing.TB, d *device, method, path string, body []byte, params map[string]string) *endpoint.Request {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	} else {
		rd = bytes.NewReader(nil)
	}
	hr, err := http.NewRequest(method, "http://wfm.test"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if d != nil {
		if err := signature.SignRequest(hr, d.signer()); err != nil {
			t.Fatal(err)
		}
	}
	p, q, _ := strings.Cut(path, "?")
	req := &endpoint.Request{
		Method: method, Params: params, Metadata: endpoint.Metadata{}, Body: body,
		Scheme: "http", Authority: "wfm.test", Path: p, RawQuery: q, Binding: "test",
	}
	for k, v := range hr.Header {
		req.Metadata.Set(k, strings.Join(v, ", "))
	}
	return req
}

// endpointFor returns the vendor endpoint serving method and route.
func endpointFor(t testing.TB, v *Vendor, method, route string) endpoint.Endpoint {
	t.Helper()
	for _, e := range v.Endpoints() {
		if e.Method == method && e.Route == v.cfg.Prefix+route {
			return e
		}
	}
	t.Fatalf("no endpoint %s %s", method, route)
	return endpoint.Endpoint{}
}
