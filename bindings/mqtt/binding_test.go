package mqtt_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/bindings/mqtt"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

func TestRequestReachesHandlerWithoutProtocolTypes(t *testing.T) {
	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	got := make(chan *endpoint.Request, 1)
	eps := []endpoint.Endpoint{{Method: "POST", Route: "/api/v1/clients/{clientId}/capabilities/{deviceId:*}", Handler: func(_ context.Context, r *endpoint.Request) (*endpoint.Response, error) {
		got <- r
		return endpoint.Status(202), nil
	}}}
	startBinding(t, broker, prefix, `"authority":"wfm.example:8883"`, observed(eps))
	c := newClient(t, broker, prefix, func(c *mqtt.ClientConfig) { c.Subtopic = "dev-1" })
	resp := do(t, c, "POST", "/api/v1/clients/c%201/capabilities/gw/child%2F2?full=1&x=a+b", endpoint.Metadata{"Content-Type": "application/json", "Signature-Input": `sig1=("@method" "@target-uri")`}, `{"a":1}`)
	if resp.Status != 202 {
		t.Fatalf("status %d %s", resp.Status, resp.Body)
	}
	r := <-got
	checks := map[string][2]string{
		"method":    {r.Method, "POST"},
		"route":     {r.Route, "/api/v1/clients/{clientId}/capabilities/{deviceId:*}"},
		"clientId":  {r.Param("clientId"), "c 1"},
		"deviceId":  {r.Param("deviceId"), "gw/child/2"},
		"scheme":    {r.Scheme, "mqtt"},
		"authority": {r.Authority, "wfm.example:8883"},
		"path":      {r.Path, "/api/v1/clients/c%201/capabilities/gw/child%2F2"},
		"rawQuery":  {r.RawQuery, "full=1&x=a+b"},
		"query x":   {r.Query.Get("x"), "a b"},
		"target":    {r.TargetURI(), "mqtt://wfm.example:8883/api/v1/clients/c%201/capabilities/gw/child%2F2?full=1&x=a+b"},
		"ct":        {r.Metadata.Get("content-type"), "application/json"},
		"sig-input": {r.Metadata["signature-input"], `sig1=("@method" "@target-uri")`},
		"body":      {string(r.Body), `{"a":1}`},
		"binding":   {r.Binding, "bindings.mqtt"},
		"remote":    {r.Remote, mqtt.RequestTopic(prefix) + "/dev-1"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
}

func TestDefaultAuthorityIsTheBrokerHost(t *testing.T) {
	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	got := make(chan string, 1)
	startBinding(t, broker, prefix, "", []endpoint.Endpoint{{Method: "GET", Route: "/a", Handler: func(_ context.Context, r *endpoint.Request) (*endpoint.Response, error) {
		got <- r.TargetURI()
		return nil, nil
	}}})
	if r := do(t, newClient(t, broker, prefix), "GET", "/a", nil, ""); r.Status != 204 {
		t.Fatalf("status %d", r.Status)
	}
	if u := <-got; u != "mqtt://"+broker.Addr()+"/a" {
		t.Fatalf("target URI %q", u)
	}
}

func TestSeveralVendorsRoundTrip(t *testing.T) {
	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	startBinding(t, broker, prefix, "", observed(allVendors(nil)))
	for _, envelope := range []bool{false, true} {
		c := newClient(t, broker, prefix, func(c *mqtt.ClientConfig) { c.EnvelopeReply = envelope })
		if r := do(t, c, "PUT", "/notes/n1", endpoint.Metadata{"content-type": "application/json"}, `{"text":"one"}`); r.Status/100 != 2 {
			t.Fatalf("put note: %d %s", r.Status, r.Body)
		}
		if r := do(t, c, "GET", "/notes/n1", nil, ""); r.Status != 200 || string(r.Body) != `{"text":"one"}` || r.Metadata.Get("etag") != `"one"` {
			t.Fatalf("get note: %d %v %s", r.Status, r.Metadata, r.Body)
		}
		bin := string([]byte{0, 1, 2, 0xff, '"', '\\', '\n'})
		if r := do(t, c, "PUT", "/files/a/b/c.bin", endpoint.Metadata{"content-type": "application/octet-stream"}, bin); r.Status != 201 || string(r.Body) != "a/b/c.bin" || r.Metadata.Get("location") != "/files/a/b/c.bin" {
			t.Fatalf("put file: %d %v %q", r.Status, r.Metadata, r.Body)
		}
		if r := do(t, c, "GET", "/files/a/b/c.bin", nil, ""); r.Status != 200 || string(r.Body) != bin {
			t.Fatalf("get file: %d %q", r.Status, r.Body)
		}
		if r := do(t, c, "GET", "/teapot", nil, ""); r.Status != 418 || string(r.Body) != "short and stout\n" {
			t.Fatalf("teapot: %d %q", r.Status, r.Body)
		}
		if p := problemOf(t, do(t, c, "GET", "/boom", nil, "")); p.Status != 500 || p.Instance != "/boom" {
			t.Fatalf("panic: %+v", p)
		}
	}
}

func TestHandlerTimeoutIs504(t *testing.T) {
	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	slow := newGate(1)
	defer slow.open()
	startBinding(t, broker, prefix, `"handlerTimeout":"100ms"`, observed(oddVendor(slow)))
	c := newClient(t, broker, prefix)
	p := problemOf(t, do(t, c, "GET", "/slow", nil, ""))
	if p.Status != 504 {
		t.Fatalf("%+v", p)
	}
}

func TestInFlightLimitAnswers503(t *testing.T) {
	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	slow := newGate(2)
	defer slow.open()
	startBinding(t, broker, prefix, `"maxInFlight":2`, observed(oddVendor(slow)))
	c := newClient(t, broker, prefix)
	held := make(chan *endpoint.Response, 2)
	for range 2 {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			r, _ := c.Do(ctx, "GET", "/slow", nil, nil)
			held <- r
		}()
	}
	slow.waitEntered(t, 2)
	r := do(t, c, "GET", "/teapot", nil, "")
	if p := problemOf(t, r); p.Status != 503 || r.Metadata.Get("retry-after") != "1" {
		t.Fatalf("%+v %v", p, r.Metadata)
	}
	slow.open()
	for range 2 {
		if r := <-held; r == nil || r.Status != 200 {
			t.Fatalf("held request: %+v", r)
		}
	}
	if r := do(t, c, "GET", "/teapot", nil, ""); r.Status != 418 {
		t.Fatalf("after the burst: %d", r.Status)
	}
}

func TestUnreachableBrokerFailsStartWithAdvice(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	bd, err := newBinding("mqtt://"+addr, "x", `"connectTimeout":"300ms"`, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = bd.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cannot reach MQTT broker at mqtt://"+addr) || !strings.Contains(err.Error(), "is it running?") {
		t.Fatalf("error = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Start took %s", d)
	}
	if err := bd.Health(context.Background()); err == nil {
		t.Fatal("healthy after a failed start")
	}
	if err := bd.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestCloseWaitsForRequestsInFlight(t *testing.T) {
	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	slow := newGate(1)
	defer slow.open()
	bd, err := newBinding(broker.URL(), prefix, "", observed(oddVendor(slow)))
	if err != nil {
		t.Fatal(err)
	}
	if err := bd.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, broker, prefix)
	reply := make(chan *endpoint.Response, 1)
	go func() {
		r, _ := c.Do(context.Background(), "GET", "/slow", nil, nil)
		reply <- r
	}()
	slow.waitEntered(t, 1)
	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		closed <- bd.Close(ctx)
	}()
	eventually(t, 5*time.Second, "Health reports closing", func() bool { return bd.Health(context.Background()) != nil })
	slow.open()
	if r := <-reply; r == nil || r.Status != 200 {
		t.Fatalf("in-flight request: %+v", r)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
}

func TestCloseCancelsHandlersAfterTheGracePeriod(t *testing.T) {
	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	slow := newGate(1)
	defer slow.open()
	bd, err := newBinding(broker.URL(), prefix, "", observed(oddVendor(slow)))
	if err != nil {
		t.Fatal(err)
	}
	if err := bd.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, broker, prefix)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_, _ = c.Do(ctx, "GET", "/slow", nil, nil)
	}()
	slow.waitEntered(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = bd.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("close = %v", err)
	}
}

func TestTimeoutErrorOfTheClient(t *testing.T) {
	broker := testserver.Mosquitto(t)
	c := newClient(t, broker, uniquePrefix()) // nobody serves this prefix
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, "GET", "/x", nil, nil)
	if !fault.Is(err, fault.Timeout) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no reply to GET /x") {
		t.Fatalf("error = %v", err)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(context.Background(), "GET", "/x", nil, nil); !fault.Is(err, fault.Unavailable) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestPanicOutsideTheHostMiddlewareIs500(t *testing.T) {
	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	startBinding(t, broker, prefix, "", oddVendor(nil)) // not wrapped: the binding recovers
	c := newClient(t, broker, prefix)
	for range 2 {
		if p := problemOf(t, do(t, c, "GET", "/boom", nil, "")); p.Status != 500 || strings.Contains(p.Detail, "boom") {
			t.Fatalf("%+v", p)
		}
	}
	if r := do(t, c, "GET", "/teapot", nil, ""); r.Status != 418 {
		t.Fatalf("after the panics: %d", r.Status)
	}
}
