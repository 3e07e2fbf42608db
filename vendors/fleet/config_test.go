package fleet

import (
	"context"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet/fleettest"
)

func TestConfigDefaultsAndRequiredTokens(t *testing.T) {
	var c Config
	err := config.DecodeModule("t.json", "vendors[1].config", nil, &c)
	if err == nil || !strings.Contains(err.Error(), "vendors[1].config.tokens:") {
		t.Fatalf("err = %v", err)
	}
	c = Config{}
	if err := config.DecodeModule("t.json", "v", []byte(`{"tokens":["t"]}`), &c); err != nil || c.Prefix != "/fleet/v1" {
		t.Fatalf("%+v %v", c, err)
	}
}

func TestConfigErrorsNameThePath(t *testing.T) {
	cases := map[string]string{
		`{"tokens":[]}`:                       "vendors[1].config.tokens",
		`{"tokens":[""]}`:                     "vendors[1].config.tokens[0]",
		`{"tokens":["ok","has space"]}`:       "vendors[1].config.tokens[1]",
		`{"tokens":"t"}`:                      "vendors[1].config.tokens",
		`{"tokens":["t"],"prefix":"fleet"}`:   "vendors[1].config.prefix",
		`{"tokens":["t"],"prefix":"/fleet/"}`: "vendors[1].config.prefix",
		`{"tokens":["t"],"token":"x"}`:        "vendors[1].config.token",
	}
	for raw, path := range cases {
		var c Config
		err := config.DecodeModule("t.json", "vendors[1].config", []byte(raw), &c)
		if err == nil || !strings.Contains(err.Error(), path+":") {
			t.Errorf("%s: err = %v, want one naming %s", raw, err, path)
		}
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
