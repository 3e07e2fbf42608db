package mqtt

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
)

func ep(method, route string) endpoint.Endpoint {
	return endpoint.Endpoint{Method: method, Route: route, Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) { return nil, nil }}
}

func TestRouterMatchesLikeTheHTTPRouter(t *testing.T) {
	r, err := routerFor([]endpoint.Endpoint{
		ep("GET", "/"),
		ep("GET", "/api/v1/clients"),
		ep("GET", "/api/v1/clients/{clientId}"),
		ep("GET", "/api/v1/clients/self"),
		ep("POST", "/api/v1/clients/{clientId}/capabilities"),
		ep("PUT", "/api/v1/clients/{clientId}/capabilities/{deviceId:*}"),
		ep("GET", "/api/v1/clients/{clientId}/deployments/{deploymentId}/{digest}"),
		ep("GET", "/files/{name}/meta"),
		ep("GET", "/files/{path:*}"),
		ep("GET", "/n/{id:[0-9]+}"),
		ep("GET", "/n/{name}"),
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method, path, route string
		params              map[string]string
	}{
		{"GET", "/", "/", map[string]string{}},
		{"GET", "/api/v1/clients", "/api/v1/clients", map[string]string{}},
		{"GET", "/api/v1/clients/self", "/api/v1/clients/self", map[string]string{}}, // static wins
		{"GET", "/api/v1/clients/c1", "/api/v1/clients/{clientId}", map[string]string{"clientId": "c1"}},
		{"GET", "/api/v1/clients/a%2Fb", "/api/v1/clients/{clientId}", map[string]string{"clientId": "a/b"}},
		{"HEAD", "/api/v1/clients/c1", "/api/v1/clients/{clientId}", map[string]string{"clientId": "c1"}},
		{"POST", "/api/v1/clients/c1/capabilities", "/api/v1/clients/{clientId}/capabilities", map[string]string{"clientId": "c1"}},
		{"PUT", "/api/v1/clients/c1/capabilities/gw/child", "/api/v1/clients/{clientId}/capabilities/{deviceId:*}", map[string]string{"clientId": "c1", "deviceId": "gw/child"}},
		{"PUT", "/api/v1/clients/c1/capabilities/gw%2Fchild", "/api/v1/clients/{clientId}/capabilities/{deviceId:*}", map[string]string{"clientId": "c1", "deviceId": "gw/child"}},
		{"PUT", "/api/v1/clients/c1/capabilities/", "/api/v1/clients/{clientId}/capabilities/{deviceId:*}", map[string]string{"clientId": "c1", "deviceId": ""}},
		{"GET", "/api/v1/clients/c1/deployments/d1/sha256:ab", "/api/v1/clients/{clientId}/deployments/{deploymentId}/{digest}", map[string]string{"clientId": "c1", "deploymentId": "d1", "digest": "sha256:ab"}},
		{"GET", "/files/x/meta", "/files/{name}/meta", map[string]string{"name": "x"}},
		{"GET", "/files/x/other", "/files/{path:*}", map[string]string{"path": "x/other"}}, // backtracks to the catch-all
		{"GET", "/files/x/meta/more", "/files/{path:*}", map[string]string{"path": "x/meta/more"}},
		{"GET", "/n/42", "/n/{id:[0-9]+}", map[string]string{"id": "42"}},
		{"GET", "/n/abc", "/n/{name}", map[string]string{"name": "abc"}},
	}
	for _, tc := range cases {
		m, ok := r.lookup(tc.method, tc.path)
		if !ok {
			t.Errorf("%s %s: no match", tc.method, tc.path)
			continue
		}
		if m.ep.Route != tc.route || !maps.Equal(m.params, tc.params) {
			t.Errorf("%s %s: matched %s %v, want %s %v", tc.method, tc.path, m.ep.Route, m.params, tc.route, tc.params)
		}
	}
	for _, miss := range []struct{ method, path string }{
		{"GET", "/api/v1/clients/"},                       // empty parameter
		{"GET", "/api/v1/clients/c1/"},                    // no trailing-slash redirect
		{"PUT", "/api/v1/clients/c1/capabilities"},        // the catch-all needs its slash
		{"GET", "/api/v1/clients/c1/deployments/d1"},      // too short
		{"GET", "/nowhere"},                               // unknown
		{"DELETE", "/api/v1/clients"},                     // no DELETE routes at all
		{"GET", "api/v1/clients"},                         // not absolute
		{"GET", "/api/v1/clients/c1/capabilities/extra/"}, // only PUT has the catch-all
	} {
		if m, ok := r.lookup(miss.method, miss.path); ok {
			t.Errorf("%s %s: matched %s", miss.method, miss.path, m.ep.Route)
		}
	}
	if got := r.allowed("DELETE", "/api/v1/clients/c1"); strings.Join(got, ",") != "GET,HEAD" {
		t.Errorf("allowed = %v", got)
	}
	if got := r.allowed("GET", "/nowhere"); len(got) != 0 {
		t.Errorf("allowed = %v", got)
	}
}

func TestRouterRejectsWhatItCannotServe(t *testing.T) {
	for _, tc := range []struct {
		routes []string
		want   string
	}{
		{[]string{"/a/{rest:*}/b"}, "must be the last segment"},
		{[]string{"/a/x{id}"}, "mixes text and a parameter"},
		{[]string{"/a/{}"}, "no parameter name"},
		{[]string{"/a/{id:[}"}, "missing closing ]"},
		{[]string{"/a/{id}", "/a/{id}"}, "conflicts with /a/{id}"},
		{[]string{"/a/{p:*}", "/a/{q:*}"}, "conflicts with /a/{p:*}"},
		{[]string{"a"}, "starts with /"},
	} {
		var eps []endpoint.Endpoint
		for _, r := range tc.routes {
			eps = append(eps, ep("POST", r))
		}
		_, err := routerFor(eps)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.routes, err, tc.want)
		}
	}
}

func TestExplicitHeadRouteIsKept(t *testing.T) {
	head := ep("HEAD", "/x")
	head.Name = "explicit"
	r, err := routerFor([]endpoint.Endpoint{ep("GET", "/x"), head})
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := r.lookup("HEAD", "/x"); !ok || m.ep.Name != "explicit" {
		t.Fatalf("HEAD matched %+v", m.ep)
	}
}
