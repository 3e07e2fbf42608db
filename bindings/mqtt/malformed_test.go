package mqtt_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/bindings/mqtt"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/testserver"
	"github.com/eclipse/paho.golang/paho"
)

// TestMalformedAndOversizedMessages publishes what a broken or hostile
// client could: every message whose reply topic is known gets a problem
// reply with its correlation, the others get none, and the binding keeps
// serving throughout.
func TestMalformedAndOversizedMessages(t *testing.T) {
	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	startBinding(t, broker, prefix, `"maxMessageBytes":4096,"maxBodyBytes":2048`, observed(allVendors(nil)))
	reply := prefix + "-replies/raw"
	raw := newRawClient(t, broker, reply)
	req := mqtt.RequestTopic(prefix)
	v5 := func(id string) *paho.PublishProperties {
		return &paho.PublishProperties{ResponseTopic: reply, CorrelationData: []byte(id)}
	}
	big := strings.Repeat("A", 6000)

	for _, tc := range []struct {
		name    string
		payload string
		props   *paho.PublishProperties
		status  int
		detail  string
		envID   string // correlationId expected in the reply envelope
	}{
		{"not JSON", "GET /notes HTTP/1.1", v5("1"), 400, "malformed request envelope", ""},
		{"truncated", `{"method":"GET","path":"/no`, v5("2"), 400, "malformed request envelope", ""},
		{"unknown member", `{"method":"GET","path":"/notes","headers":{}}`, v5("3"), 400, `unknown field "headers"`, ""},
		{"bad base64", `{"method":"PUT","path":"/files/x","body":"***"}`, v5("4"), 400, "malformed request envelope", ""},
		{"two bodies", `{"method":"PUT","path":"/files/x","body":"AA==","json":1}`, v5("5"), 400, "exclusive", ""},
		{"no method", `{"path":"/notes"}`, v5("6"), 400, `"method" must be an HTTP method`, ""},
		{"bad method", `{"method":"GE T","path":"/notes"}`, v5("7"), 400, `"method" must be an HTTP method`, ""},
		{"relative path", `{"method":"GET","path":"notes"}`, v5("8"), 400, "absolute path", ""},
		{"space in path", `{"method":"GET","path":"/notes/a b"}`, v5("9"), 400, "percent-encode", ""},
		{"query twice", `{"method":"GET","path":"/notes?a=1","query":"b=2"}`, v5("10"), 400, "query is given twice", ""},
		{"envelope reply target", `{"method":"GET","path":"/nowhere","replyTo":"` + reply + `","correlationId":"e-1"}`, nil, 404, "no endpoint serves this path", "e-1"},
		{"malformed with envelope reply target", `{"method":7,"replyTo":"` + reply + `","correlationId":"e-2"}`, nil, 400, "malformed request envelope", "e-2"},
		{"oversized message", `{"method":"PUT","path":"/files/x","body":"` + big + `"}`, v5("11"), 413, "exceeds the server's limit of 4096 bytes", ""},
		{"oversized with envelope reply target", `{"method":"PUT","path":"/files/x","replyTo":"` + reply + `","correlationId":"e-3","body":"` + big + `"}`, nil, 413, "exceeds the server's limit of 4096 bytes", "e-3"},
		{"oversized body", `{"method":"PUT","path":"/files/x","json":"` + strings.Repeat("b", 3000) + `"}`, v5("12"), 413, "exceeds the server's limit", ""},
		{"both reply targets: MQTT 5 wins", `{"method":"GET","path":"/empty","replyTo":"elsewhere/x","correlationId":"e-4"}`, v5("13"), 204, "", "e-4"},
	} {
		raw.publish(t, req, []byte(tc.payload), tc.props)
		msg, env := raw.reply(t)
		if tc.props != nil && string(msg.Properties.CorrelationData) != string(tc.props.CorrelationData) {
			t.Errorf("%s: correlation data %q, want %q", tc.name, msg.Properties.CorrelationData, tc.props.CorrelationData)
		}
		if env.CorrelationID != tc.envID {
			t.Errorf("%s: correlationId %q, want %q", tc.name, env.CorrelationID, tc.envID)
		}
		if env.Status != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, env.Status, tc.status, msg.Payload)
			continue
		}
		if tc.detail == "" {
			continue
		}
		var p fault.Problem
		if err := json.Unmarshal(env.Payload(), &p); err != nil || env.Metadata["content-type"] != fault.ProblemContentType {
			t.Errorf("%s: not a problem: %v %s", tc.name, env.Metadata, env.Payload())
			continue
		}
		if p.Status != tc.status || !strings.Contains(p.Detail, tc.detail) {
			t.Errorf("%s: problem %+v, want detail with %q", tc.name, p, tc.detail)
		}
	}

	// No reply topic at all, or one the binding refuses: no reply, no crash.
	for _, tc := range []struct {
		name    string
		payload string
		props   *paho.PublishProperties
	}{
		{"not JSON, no reply topic", "\x00\xff garbage", nil},
		{"valid, no reply topic (one-way)", `{"method":"GET","path":"/notes"}`, nil},
		{"reply topic under the request topic", `{"method":"GET","path":"/notes"}`, &paho.PublishProperties{ResponseTopic: req + "/loop"}},
		{"reply topic with a wildcard", `{"method":"GET","path":"/notes","replyTo":"a/#"}`, nil},
		{"reply topic of the broker", `{"method":"GET","path":"/notes","replyTo":"$SYS/x"}`, nil},
		{"empty payload", "", nil},
	} {
		raw.publish(t, req, []byte(tc.payload), tc.props)
	}
	// Far over the limit: the broker itself drops it (maximum packet size).
	raw.publish(t, req, []byte(`{"method":"GET","path":"/notes","body":"`+strings.Repeat("A", 200<<10)+`"}`), v5("huge"))
	raw.none(t, prefix)

	// Requests on subtopics are served, and the binding still serves clients.
	raw.publish(t, req+"/any/sub/topic", []byte(`{"method":"GET","path":"/teapot"}`), v5("sub"))
	if _, env := raw.reply(t); env.Status != 418 {
		t.Fatalf("subtopic request: %d", env.Status)
	}
	c := newClient(t, broker, prefix)
	if r := do(t, c, "GET", "/notes", nil, ""); r.Status != 200 {
		t.Fatalf("after the bad messages: %d", r.Status)
	}
}
