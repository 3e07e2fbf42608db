package capabilities

import (
	"testing"

	"github.com/cadenza-edge/cadenza/managers/base/basetest"
)

func TestConfigDefaultsAndValidation(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		want    int    // History when valid
		wantErr string // substring; "" = valid
	}{
		{"default history is 20", "", 20, ""},
		{"history set", `{"history": 3}`, 3, ""},
		{"zero history", `{"history": 0}`, 0, "m.config.history"},
		{"huge history", `{"history": 100000}`, 0, "m.config.history"},
		{"unknown field", `{"keep": 1}`, 0, "unknown field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &Manager{}
			if basetest.Configure(t, m, c.raw, c.wantErr) && m.cfg.History != c.want {
				t.Fatalf("history %d, want %d", m.cfg.History, c.want)
			}
		})
	}
}
