package sync

import (
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
)

func TestConfigDefaultsAndPaths(t *testing.T) {
	var c Config
	if err := config.DecodeModule("a.json", "m.config", []byte(`{"wfm": {"url": "https://wfm:8443/api/v1"}}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.PollInterval.D().String() != "15s" || c.BackoffMax.D().String() != "5m0s" || c.StatusQueueMax != 1000 || c.ErrorHistory != 100 ||
		c.WFM.RequestTimeout.D().String() != "30s" || c.ApplyTimeout.D().String() != "10m0s" {
		t.Fatalf("defaults %+v", c)
	}
	if c.Identity.Key != "var/agent/device-key.pem" || c.Identity.Cert != "var/agent/device-cert.pem" || c.WFM.CAFile != "var/agent/wfm-ca.pem" || c.Device.StoragePath != "/" {
		t.Fatalf("paths %+v %+v", c.Identity, c.WFM)
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	cases := []struct{ doc, want string }{
		{`{}`, "m.config.wfm.url: required"},
		{`{"wfm": {"url": "http://wfm/api/v1"}}`, "m.config.wfm.url: must be https"},
		{`{"wfm": {"url": "https://wfm/api/v1"}, "pollInterval": "1ms"}`, "m.config.pollInterval: must be at least 10ms"},
		{`{"wfm": {"url": "https://wfm/api/v1"}, "pollInterval": "10m"}`, "m.config.backoffMax: must be at least pollInterval"},
		{`{"wfm": {"url": "https://wfm/api/v1"}, "pollingHours": [{"from": "6:00", "to": "22:00"}]}`, `m.config.pollingHours[0]: from: "6:00" is not a time of day`},
		{`{"wfm": {"url": "https://wfm/api/v1"}, "downtime": [{"from": "01:00", "to": "01:00"}]}`, "m.config.downtime[0]: from and to are both 01:00"},
		{`{"wfm": {"url": "https://wfm/api/v1"}, "downtime": [{"from": "01:00", "to": "02:00", "days": ["funday"]}]}`, `m.config.downtime[0]: days: "funday" is not a day`},
		{`{"wfm": {"url": "https://wfm/api/v1"}, "statusQueueMax": 1}`, "m.config.statusQueueMax: must be at least 10"},
		{`{"wfm": {"url": "https://wfm/api/v1"}, "device": {"roles": ["Boss"]}}`, `m.config.device.roles[0]: "Boss" is not a Margo role`},
		{`{"wfm": {"url": "https://wfm/api/v1"}, "device": {"memory": "8GB"}}`, `m.config.device.memory: "8GB" is not a quantity`},
		{`{"wfm": {"url": "https://wfm/api/v1"}, "device": {"id": "a b"}}`, `m.config.device.id: "a b" is not a device id`},
		{`{"wfm": {"url": "https://wfm/api/v1"}, "device": {"interfaces": [{"type": "serial"}]}}`, `m.config.device.interfaces[0].type`},
		{`{"wfm": {"url": "https://wfm/api/v1"}, "polInterval": "1s"}`, `m.config.polInterval: unknown field`},
	}
	for _, tc := range cases {
		var c Config
		err := config.DecodeModule("a.json", "m.config", []byte(tc.doc), &c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.doc, err, tc.want)
		}
	}
}
