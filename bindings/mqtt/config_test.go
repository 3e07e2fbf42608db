package mqtt_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/bindings/mqtt"
	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/module"
)

func TestRegistered(t *testing.T) {
	reg, err := module.Lookup(mqtt.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := reg.New().(*mqtt.Binding); !ok || reg.Summary == "" {
		t.Fatalf("%+v", reg)
	}
}

func TestConfigValidation(t *testing.T) {
	cases := map[string]string{
		`{}`:                                                   "b.brokers: required",
		`{"brokers":["http://x"]}`:                             `b.brokers[0]: scheme "http" is not supported`,
		`{"brokers":["mqtt://u:p@x"]}`:                         "b.brokers[0]: credentials do not belong in the URL",
		`{"brokers":["mqtt://x/path"]}`:                        "has a path or query",
		`{"brokers":["mqtt://x"],"qos":3}`:                     "b.qos: must be 0, 1 or 2",
		`{"brokers":["mqtt://x"],"topicPrefix":"a/#"}`:         "b.topicPrefix: must not contain the wildcards",
		`{"brokers":["mqtt://x"],"topicPrefix":"/a"}`:          "b.topicPrefix: must not start or end",
		`{"brokers":["mqtt://x"],"topicPrefix":"$SYS"}`:        "b.topicPrefix: must not start with",
		`{"brokers":["mqtt://x"],"sharedGroup":"a/b"}`:         "b.sharedGroup: must be one topic level",
		`{"brokers":["mqtt://x"],"persistentSession":true}`:    "b.clientId: required with persistentSession",
		`{"brokers":["mqtt://x"],"tls":{"ca":"ca.pem"}}`:       "b.tls: no broker URL uses TLS",
		`{"brokers":["mqtts://x"],"tls":{"cert":"c.pem"}}`:     "b.tls: cert and key go together",
		`{"brokers":["ssl://x"],"tls":{"minVersion":"1.1"}}`:   `b.tls.minVersion: "1.1" is not supported`,
		`{"brokers":["mqtt://x"],"reconnectMax":"100ms"}`:      "b.reconnectMax: must be longer than reconnectMin",
		`{"brokers":["mqtt://x"],"handlerTimeout":"0s"}`:       "b.handlerTimeout: must be positive",
		`{"brokers":["mqtt://x"],"maxInFlight":0}`:             "b.maxInFlight: must be positive",
		`{"brokers":["mqtt://x"],"keepAlive":"10ms"}`:          "b.keepAlive: must be between",
		`{"brokers":["mqtt://x"],"maxMessageBytes":999999999}`: "b.maxMessageBytes: must be between",
		`{"brokers":["mqtt://x"],"listen":":1"}`:               "b.listen: unknown field",
	}
	for raw, want := range cases {
		var c mqtt.Config
		err := config.DecodeModule("t.json", "b", []byte(raw), &c)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error = %v, want %q", raw, err, want)
		}
	}
	var ok mqtt.Config
	if err := config.DecodeModule("t.json", "b", []byte(`{"brokers":["mqtt://127.0.0.1","mqtts://b.example","tcp://c:1884","ssl://d"],"tls":{"ca":"x"},"persistentSession":true,"clientId":"wfm-1","sharedGroup":"wfm"}`), &ok); err != nil {
		t.Fatal(err)
	}
	if ok.QoS != 1 || ok.TopicPrefix != "cadenza" || ok.MaxInFlight != 64 {
		t.Fatalf("defaults: %+v", ok)
	}
}

func TestUnreadableTLSFilesFailInit(t *testing.T) {
	_, err := newBinding("mqtts://127.0.0.1:8883", "x", `"tls":{"ca":"/nonexistent/ca.pem"}`, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot read the CA bundle") {
		t.Fatalf("error = %v", err)
	}
	_, err = newBinding("mqtts://127.0.0.1:8883", "x", `"tls":{"cert":"/nonexistent/c.pem","key":"/nonexistent/k.pem"}`, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot read /nonexistent/c.pem") {
		t.Fatalf("error = %v", err)
	}
}

func TestUnsupportedRouteFailsInit(t *testing.T) {
	_, err := newBinding("mqtt://127.0.0.1:1883", "x", "", []endpoint.Endpoint{{Method: "GET", Route: "/a/v{n}", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) { return nil, nil }}})
	if err == nil || !strings.Contains(err.Error(), "cannot route GET /a/v{n}") {
		t.Fatalf("error = %v", err)
	}
}

// TestSampleConfig checks samples/wfm-mqtt.json: the operator API over
// HTTP and MQTT. (The host's own check of the whole sample needs every
// module linked; this one needs only the two bindings.)
func TestSampleConfig(t *testing.T) {
	const file = "../../samples/wfm-mqtt.json"
	host, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for i, b := range host.Bindings {
		kinds = append(kinds, b.Type)
		if b.Type != mqtt.ID {
			continue
		}
		var c mqtt.Config
		if err := config.DecodeModule(file, fmt.Sprintf("bindings[%d].config", i), b.Config, &c); err != nil {
			t.Fatal(err)
		}
		if len(c.Brokers) != 1 || c.Brokers[0] != "mqtt://127.0.0.1:1883" {
			t.Fatalf("brokers %v", c.Brokers)
		}
	}
	if strings.Join(kinds, ",") != "bindings.http,bindings.mqtt" {
		t.Fatalf("bindings %v", kinds)
	}
}
