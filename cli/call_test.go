package cli

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cadenza-edge/cadenza/internal/testserver"
	"github.com/cadenza-edge/cadenza/internal/wfmtest"
)

// `cadenza call` reaches the same endpoint over HTTP and over MQTT and
// prints the same answer.
func TestCallOverHTTPAndMQTTGivesTheSameAnswer(t *testing.T) {
	broker := testserver.Mosquitto(t)
	doc := fmt.Sprintf(`{"name":"t","providers":{"store":{"type":"state.memory"}},
 "vendors":[{"type":"vendors.hello","managers":[{"type":"managers.greeter","uses":{"state":"store"}}]}],
 "bindings":[{"type":"bindings.http","config":{"listen":"127.0.0.1:0"}},
             {"type":"bindings.mqtt","config":{"brokers":[%q],"topicPrefix":"calltest"}}]}`, broker.URL())
	h := wfmtest.Start(t, t.TempDir(), doc)

	var viaHTTP, viaMQTT, errb bytes.Buffer
	if code := Run([]string{"call", "GET", h.URL + "/hello/ada"}, Env{Stdout: &viaHTTP, Stderr: &errb}); code != 0 {
		t.Fatalf("http: exit %d %s", code, errb.String())
	}
	if code := Run([]string{"call", "--broker", broker.URL(), "--topic-prefix", "calltest", "GET", "/hello/ada"}, Env{Stdout: &viaMQTT, Stderr: &errb}); code != 0 {
		t.Fatalf("mqtt: exit %d %s", code, errb.String())
	}
	if viaHTTP.String() != "{\"greeting\":\"Hello, ada!\",\"count\":1}\n" || viaMQTT.String() != "{\"greeting\":\"Hello, ada!\",\"count\":2}\n" {
		t.Fatalf("http %q, mqtt %q", viaHTTP.String(), viaMQTT.String())
	}
	var notFound bytes.Buffer
	if code := Run([]string{"call", "--broker", broker.URL(), "--topic-prefix", "calltest", "GET", "/nope"}, Env{Stdout: &notFound, Stderr: &errb}); code != 1 || !bytes.Contains(notFound.Bytes(), []byte(`"status":404`)) {
		t.Fatalf("404 over mqtt: exit %d %s", code, notFound.String())
	}
}
