package onboarding

import (
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
)

func TestConfigDefaults(t *testing.T) {
	var c Config
	if err := config.DecodeModule("t.json", "m.config", []byte(`{}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.CAValidity.D() != 87600*time.Hour || c.Policy.Mode != ModeAuto || c.MinRSABits != 2048 {
		t.Fatalf("defaults = %+v", c)
	}
	s := ServerCertificate{}
	if s.ValidityOrDefault() != 8760*time.Hour {
		t.Fatalf("server certificate validity default = %s", s.ValidityOrDefault())
	}
}

func TestConfigValidateNamesTheField(t *testing.T) {
	key := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name, cfg, path string
	}{
		{"ca without key", `{"ca": {"cert": "ca.pem"}}`, "m.config.ca.key"},
		{"ca without cert", `{"ca": {"key": "k.pem"}}`, "m.config.ca.cert"},
		{"caValidity too short", `{"caValidity": "1m"}`, "m.config.caValidity"},
		{"caValidity not a duration", `{"caValidity": 3600}`, "m.config.caValidity"},
		{"server cert without files", `{"serverCertificate": {"hosts": ["localhost"]}}`, "m.config.serverCertificate.cert"},
		{"server cert key equals cert", `{"serverCertificate": {"cert": "a.pem", "key": "a.pem", "hosts": ["localhost"]}}`, "m.config.serverCertificate.key"},
		{"server cert without hosts", `{"serverCertificate": {"cert": "a.pem", "key": "b.pem"}}`, "m.config.serverCertificate.hosts"},
		{"server cert host with port", `{"serverCertificate": {"cert": "a.pem", "key": "b.pem", "hosts": ["localhost", "wfm:8443"]}}`, "m.config.serverCertificate.hosts[1]"},
		{"server cert host URL", `{"serverCertificate": {"cert": "a.pem", "key": "b.pem", "hosts": ["https://wfm"]}}`, "m.config.serverCertificate.hosts[0]"},
		{"server cert host bad label", `{"serverCertificate": {"cert": "a.pem", "key": "b.pem", "hosts": ["-wfm.example"]}}`, "m.config.serverCertificate.hosts[0]"},
		{"server cert validity too short", `{"serverCertificate": {"cert": "a.pem", "key": "b.pem", "hosts": ["localhost"], "validity": "10m"}}`, "m.config.serverCertificate.validity"},
		{"unknown policy mode", `{"policy": {"mode": "open"}}`, "m.config.policy.mode"},
		{"deny entry not a keyid", `{"policy": {"deny": ["abc"]}}`, "m.config.policy.deny[0]"},
		{"allow entry not hex", `{"policy": {"allow": ["` + strings.Repeat("zz", 32) + `"]}}`, "m.config.policy.allow[0]"},
		{"keyid both allowed and denied", `{"policy": {"allow": ["` + key + `"], "deny": ["` + strings.ToUpper(key) + `"]}}`, "m.config.policy.allow[0]"},
		{"minRSABits too small", `{"minRSABits": 1024}`, "m.config.minRSABits"},
		{"unknown field", `{"policy": {"mode": "auto", "alow": []}}`, "m.config.policy.alow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c Config
			err := config.DecodeModule("t.json", "m.config", []byte(tc.cfg), &c)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), "t.json: "+tc.path+": ") {
				t.Fatalf("error %q does not name %s", err, tc.path)
			}
		})
	}
}

func TestConfigValidAccepted(t *testing.T) {
	key := strings.Repeat("AB", 32)
	cfg := `{"ca": {"cert": "ca.pem", "key": "ca-key.pem"}, "caValidity": "8760h",
		"serverCertificate": {"cert": "var/wfm/tls.pem", "key": "var/wfm/tls-key.pem", "hosts": ["127.0.0.1", "::1", "localhost", "*.wfm.example.com"], "validity": "720h"},
		"policy": {"mode": "manual", "allow": ["` + key + `"], "deny": []}, "minRSABits": 3072}`
	var c Config
	if err := config.DecodeModule("t.json", "m.config", []byte(cfg), &c); err != nil {
		t.Fatal(err)
	}
}
