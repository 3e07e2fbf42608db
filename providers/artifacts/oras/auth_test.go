package oras

import (
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// Basic auth at the registry (htpasswd): anonymous and wrong credentials
// are Unauthorized; the right ones work from the config and from a
// Docker-style credentials file.
func TestBasicAuth(t *testing.T) {
	reg := testserver.StartRegistry(t, testserver.RegistryOptions{Username: "edge", Password: "s3cret"})
	data, _ := pushRandom(t, reg, "private/app:1.0", 4096)
	ref := reg.Ref("private/app:1.0")

	for name, r := range map[string]Registry{
		"anonymous":      {PlainHTTP: true},
		"wrong password": {PlainHTTP: true, Username: "edge", Password: "wrong"},
		"only a token":   {PlainHTTP: true, Token: "not-for-basic-auth"},
	} {
		_, err := newTestPuller(t, func(c *Config) { c.Registries = map[string]Registry{reg.Host: r} }).Pull(t.Context(), ref, artifacts.PullOptions{})
		if fault.CodeOf(err) != fault.Unauthorized {
			t.Fatalf("%s: %v (code %q), want Unauthorized", name, err, fault.CodeOf(err))
		}
	}

	creds := filepath.Join(t.TempDir(), "config.json")
	auth := base64.StdEncoding.EncodeToString([]byte("edge:s3cret"))
	if err := os.WriteFile(creds, []byte(`{"auths": {"`+reg.Host+`": {"auth": "`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*Config){
		"config": func(c *Config) {
			c.Registries = map[string]Registry{reg.Host: {PlainHTTP: true, Username: "edge", Password: "s3cret"}}
		},
		"credentials file": func(c *Config) { plain(reg.Host)(c); c.CredentialsFile = creds },
	} {
		a, err := newTestPuller(t, mutate).Pull(t.Context(), ref, artifacts.PullOptions{})
		if err != nil {
			t.Fatalf("with credentials from the %s: %v", name, err)
		}
		sameFile(t, a.Path, data)
	}

	// A credentials file that does not exist means no credentials.
	_, err := newTestPuller(t, func(c *Config) { plain(reg.Host)(c); c.CredentialsFile = creds + ".absent" }).Pull(t.Context(), ref, artifacts.PullOptions{})
	wantCode(t, err, fault.Unauthorized)
}

// Token auth: the registry is behind a proxy that wants
// "Authorization: Bearer <token>" and challenges with a Bearer realm (the
// packaged distribution registry's own token auth needs a token server;
// the proxy plays the registry side of it). A configured token is sent as
// is; none, or a wrong one, is Unauthorized.
func TestTokenAuth(t *testing.T) {
	reg := testserver.Registry(t)
	data, _ := pushRandom(t, reg, "tok/app:1.0", 5000)
	p := newProxy(t, reg)
	const token = "edge-access-token"
	p.intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Authorization") == "Bearer "+token {
			return false
		}
		w.Header().Set("Www-Authenticate", `Bearer realm="http://`+p.Host+`/token",service="test-registry"`)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`))
		return true
	})
	ref := "oci://" + p.Host + "/tok/app:1.0"

	a, err := newTestPuller(t, func(c *Config) { c.Registries = map[string]Registry{p.Host: {PlainHTTP: true, Token: token}} }).
		Pull(t.Context(), ref, artifacts.PullOptions{})
	if err != nil {
		t.Fatalf("with the token: %v", err)
	}
	sameFile(t, a.Path, data)

	for name, tok := range map[string]string{"no token": "", "wrong token": "not-it"} {
		_, err := newTestPuller(t, func(c *Config) { c.Registries = map[string]Registry{p.Host: {PlainHTTP: true, Token: tok}} }).
			Pull(t.Context(), ref, artifacts.PullOptions{})
		if fault.CodeOf(err) != fault.Unauthorized {
			t.Fatalf("%s: %v (code %q), want Unauthorized", name, err, fault.CodeOf(err))
		}
	}
}
