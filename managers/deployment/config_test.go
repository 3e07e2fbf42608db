package deployment

import (
	"testing"

	"github.com/cadenza-edge/cadenza/managers/base/basetest"
)

func TestConfigDefaultsAndValidation(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		wantErr string // substring; "" = valid
		check   func(Config) bool
	}{
		{"defaults", "", "", func(c Config) bool { return c.URLPrefix == "/api/v1" && c.KeepRevisions == 5 && c.StatusHistory == 50 }},
		{"empty prefix allowed", `{"urlPrefix": ""}`, "", func(c Config) bool { return c.URLPrefix == "" }},
		{"keepRevisions zero allowed", `{"keepRevisions": 0}`, "", func(c Config) bool { return c.KeepRevisions == 0 }},
		{"relative prefix", `{"urlPrefix": "api"}`, "m.config.urlPrefix", nil},
		{"absolute URL prefix", `{"urlPrefix": "https://x/api"}`, "m.config.urlPrefix", nil},
		{"trailing slash", `{"urlPrefix": "/api/v1/"}`, "must not end with a slash", nil},
		{"query in prefix", `{"urlPrefix": "/api?x=1"}`, "m.config.urlPrefix", nil},
		{"negative keepRevisions", `{"keepRevisions": -1}`, "m.config.keepRevisions", nil},
		{"zero statusHistory", `{"statusHistory": 0}`, "m.config.statusHistory", nil},
		{"unknown field", `{"keep": 1}`, "unknown field", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &Manager{}
			if basetest.Configure(t, m, c.raw, c.wantErr) && !c.check(m.cfg) {
				t.Fatalf("config %+v", m.cfg)
			}
		})
	}
}
