package margo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet/fleettest"
)

func TestConfigDefaults(t *testing.T) {
	var c Config
	if err := config.DecodeModule("t.json", "vendors[0].config", nil, &c); err != nil {
		t.Fatal(err)
	}
	if c.Prefix != "/api/v1" || c.Signature.Window.D() != 5*time.Minute || c.Signature.Skew.D() != 30*time.Second ||
		c.RequireSignedOnboarding || c.CompressMinBytes != 1024 {
		t.Fatalf("defaults %+v", c)
	}
}

func TestConfigPartialSignatureKeepsOtherDefault(t *testing.T) {
	var c Config
	if err := config.DecodeModule("t.json", "v", []byte(`{"signature":{"window":"1m"}}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.Signature.Window.D() != time.Minute || c.Signature.Skew.D() != 30*time.Second {
		t.Fatalf("%+v", c.Signature)
	}
}

func TestConfigErrorsNameThePath(t *testing.T) {
	cases := map[string]string{
		`{"prefix":"api"}`:                  "vendors[0].config.prefix",
		`{"prefix":"/api/"}`:                "vendors[0].config.prefix",
		`{"prefix":"/api/{v}"}`:             "vendors[0].config.prefix",
		`{"signature":{"window":"0s"}}`:     "vendors[0].config.signature.window",
		`{"signature":{"skew":"-1s"}}`:      "vendors[0].config.signature.skew",
		`{"signature":{"window":300}}`:      "vendors[0].config.signature.window",
		`{"compressMinBytes":-1}`:           "vendors[0].config.compressMinBytes",
		`{"requireSignedOnboarding":"yes"}`: "vendors[0].config.requireSignedOnboarding",
		`{"prefx":"/api"}`:                  "vendors[0].config.prefx",
	}
	for raw, path := range cases {
		var c Config
		err := config.DecodeModule("t.json", "vendors[0].config", []byte(raw), &c)
		if err == nil || !strings.Contains(err.Error(), path+":") {
			t.Errorf("%s: err = %v, want one naming %s", raw, err, path)
		}
	}
}

func TestConfigPrefixIsApplied(t *testing.T) {
	w := newWFM(t, `{"prefix":"/v1alpha2/margo"}`)
	r := do(t, httpClient(nil), "GET", w.url+"/onboarding/certificate", nil)
	wantStatus(t, r, 200)
	if !strings.HasSuffix(w.url, "/v1alpha2/margo") {
		t.Fatal(w.url)
	}
}

func TestInitNamesMissingManager(t *testing.T) {
	fleettest.WantMissingNamed(t, ID, func(ctx context.Context, env *module.Env) error { return (&Vendor{}).Init(ctx, env) })
}

func TestVendorIsRegistered(t *testing.T) {
	r, err := module.Lookup(ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.New().(*Vendor); !ok {
		t.Fatalf("%s builds %T", ID, r.New())
	}
}
