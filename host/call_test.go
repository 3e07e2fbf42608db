package main

import (
	"bytes"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// `cadenza call` reaches the same endpoint over HTTP and over MQTT and
// prints the same answer.
func TestCallOverHTTPAndMQTTGivesTheSameAnswer(t *testing.T) {
	broker := testserver.Mosquitto(t)
	doc := fmt.Sprintf(`{"name":"t","providers":{"store":{"type":"state.memory"}},
 "vendors":[{"type":"vendors.hello","managers":[{"type":"managers.greeter","uses":{"state":"store"}}]}],
 "bindings":[{"type":"bindings.http","config":{"listen":"127.0.0.1:0"}},
             {"type":"bindings.mqtt","config":{"brokers":[%q],"topicPrefix":"calltest"}}]}`, broker.URL())
	f := writeConfig(t, doc)
	sigs := make(chan os.Signal, 1)
	logs := newStartedLog()
	done := make(chan int, 1)
	go func() { done <- Main([]string{"run", "--config", f}, &syncBuffer{}, logs, sigs) }()
	addr := logs.wait(t)
	defer func() { sigs <- syscall.SIGTERM; <-done }()

	var viaHTTP, viaMQTT, errb bytes.Buffer
	if code := Main([]string{"call", "GET", "http://" + addr + "/hello/ada"}, &viaHTTP, &errb, nil); code != 0 {
		t.Fatalf("http: exit %d %s", code, errb.String())
	}
	if code := Main([]string{"call", "--broker", broker.URL(), "--topic-prefix", "calltest", "GET", "/hello/ada"}, &viaMQTT, &errb, nil); code != 0 {
		t.Fatalf("mqtt: exit %d %s", code, errb.String())
	}
	if viaHTTP.String() != "{\"greeting\":\"Hello, ada!\",\"count\":1}\n" || viaMQTT.String() != "{\"greeting\":\"Hello, ada!\",\"count\":2}\n" {
		t.Fatalf("http %q, mqtt %q", viaHTTP.String(), viaMQTT.String())
	}
	var notFound bytes.Buffer
	if code := Main([]string{"call", "--broker", broker.URL(), "--topic-prefix", "calltest", "GET", "/nope"}, &notFound, &errb, nil); code != 1 || !bytes.Contains(notFound.Bytes(), []byte(`"status":404`)) {
		t.Fatalf("404 over mqtt: exit %d %s", code, notFound.String())
	}
}
