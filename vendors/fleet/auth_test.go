package fleet

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/managers/catalog"
	"github.com/cadenza-edge/cadenza/managers/rollout"
)

func TestMissingBearerTokenIs401WithChallenge(t *testing.T) {
	a := newDefaultAPI(t)
	for _, auth := range []string{"<delete>", "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", token} {
		r := call(t, "GET", a.url+"/clients", nil, "Authorization", auth)
		wantProblem(t, r, 401)
		if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			t.Fatalf("Authorization %q: WWW-Authenticate %q", auth, got)
		}
	}
}

func TestWrongBearerTokenIs401InvalidToken(t *testing.T) {
	a := newDefaultAPI(t)
	for _, auth := range []string{"Bearer wrong", "Bearer " + token + "x", "Bearer " + token[:len(token)-1]} {
		r := call(t, "GET", a.url+"/clients", nil, "Authorization", auth)
		wantProblem(t, r, 401)
		if got := r.Header.Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
			t.Fatalf("WWW-Authenticate %q", got)
		}
	}
}

func TestEveryEndpointRequiresTheToken(t *testing.T) {
	// With a catalog and a rollout manager, so their routes are served too
	// (never reached: authentication comes first).
	a := newAPIWith(t, `{"tokens":["`+token+`"]}`, &catalog.Manager{}, &rollout.Manager{})
	if len(a.v.Endpoints()) < 30 {
		t.Fatalf("only %d endpoints: the catalog or rollout routes are missing", len(a.v.Endpoints()))
	}
	a.addClient("c1", "approved")
	for _, e := range a.v.Endpoints() {
		path := strings.NewReplacer("{clientId}", "c1", "{deploymentId}", "d1", "{deviceId:*}", "dev1").Replace(e.Route)
		r := call(t, e.Method, strings.TrimSuffix(a.url, a.v.cfg.Prefix)+path, nil, "Authorization", "<delete>")
		if r.StatusCode != 401 || r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s: %d without a token", e.Method, path, r.StatusCode)
		}
	}
	if a.ob.StateOf("c1") != "approved" {
		t.Fatal("an unauthenticated call changed state")
	}
}

func TestBearerSchemeIsCaseInsensitiveAndAnyConfiguredTokenWorks(t *testing.T) {
	a := newAPI(t, `{"tokens":["first-token","second-token"]}`)
	for _, auth := range []string{"Bearer first-token", "bearer second-token", "BEARER  first-token "} {
		want(t, call(t, "GET", a.url+"/clients", nil, "Authorization", auth), 200, nil)
	}
}

func TestTokenSetComparesWholeTokens(t *testing.T) {
	s := newTokenSet([]string{"abc", "defg"})
	for tok, ok := range map[string]bool{"abc": true, "defg": true, "ab": false, "abcd": false, "": false, "ABC": false} {
		if s.accepts(tok) != ok {
			t.Errorf("accepts(%q) != %v", tok, ok)
		}
	}
}

func TestVerifiedClientCertificateWithAListedNameIsAccepted(t *testing.T) {
	ok := func(context.Context, *endpoint.Request) (*endpoint.Response, error) { return endpoint.Status(200), nil }
	cert := func(cn string) []*x509.Certificate { return []*x509.Certificate{{Subject: pkix.Name{CommonName: cn}}} }
	cases := []struct {
		names []string
		peer  []*x509.Certificate
		want  int
	}{
		{[]string{"ops"}, cert("ops"), 200},
		{[]string{"ops"}, cert("intruder"), 401},
		{[]string{"*"}, cert("anyone"), 200},
		{[]string{"ops"}, nil, 401},
		{nil, cert("ops"), 401},
	}
	for _, c := range cases {
		v := &Vendor{cfg: Config{ClientCertificates: c.names}, tokens: newTokenSet([]string{"tok"})}
		resp, err := v.authenticated(ok)(context.Background(), &endpoint.Request{Metadata: endpoint.Metadata{}, PeerCertificates: c.peer})
		if err != nil || resp.Status != c.want {
			t.Errorf("names %v peer %v: %v %v, want %d", c.names, c.peer != nil, resp.Status, err, c.want)
		}
	}
}
