package operator

import (
	"strings"
	"testing"
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
	a := newDefaultAPI(t)
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
