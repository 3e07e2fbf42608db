package mqtt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/bindings/mqtt"
	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/runner"
	"github.com/cadenza-edge/cadenza/internal/testserver"
	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// quiet is a logger for tests: records go nowhere.
var quiet = slog.New(slog.DiscardHandler)

// observed wraps eps with the host's middleware, as the runner does.
func observed(eps []endpoint.Endpoint) []endpoint.Endpoint {
	return runner.Observe(eps, runner.Options{Logger: quiet})
}

var prefixSeq atomic.Int64

// uniquePrefix keeps tests sharing a broker apart.
func uniquePrefix() string { return fmt.Sprintf("t%d/svc", prefixSeq.Add(1)) }

// fast are connection settings that make reconnection quick in tests.
const fast = `"connectTimeout":"2s","reconnectMin":"20ms","reconnectMax":"300ms","keepAlive":"5s"`

// startBinding decodes extra (JSON members after brokers and topicPrefix)
// like the host would, then inits and starts a binding serving eps.
func startBinding(t testing.TB, b *testserver.Broker, prefix, extra string, eps []endpoint.Endpoint) *mqtt.Binding {
	t.Helper()
	bd, err := newBinding(b.URL(), prefix, extra, eps)
	if err != nil {
		t.Fatal(err)
	}
	if err := bd.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := bd.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return bd
}

func newBinding(url, prefix, extra string, eps []endpoint.Endpoint) (*mqtt.Binding, error) {
	bd := &mqtt.Binding{}
	raw := fmt.Sprintf(`{"brokers":[%q],"topicPrefix":%q,%s`, url, prefix, fast)
	if extra != "" {
		raw += "," + extra
	}
	if err := config.DecodeModule("t.json", "bindings[1].config", []byte(raw+"}"), bd.ConfigTarget()); err != nil {
		return nil, err
	}
	env := &module.Env{Host: "test", ID: mqtt.ID, Logger: quiet, Endpoints: eps}
	return bd, bd.Init(context.Background(), env)
}

// newClient connects a client to the binding at prefix.
func newClient(t testing.TB, b *testserver.Broker, prefix string, edit ...func(*mqtt.ClientConfig)) *mqtt.Client {
	t.Helper()
	cfg := mqtt.ClientConfig{
		Connection:  mqtt.Connection{Brokers: []string{b.URL()}, ConnectTimeout: config.Duration(2 * time.Second), ReconnectMin: config.Duration(20 * time.Millisecond), ReconnectMax: config.Duration(300 * time.Millisecond)},
		TopicPrefix: prefix,
		QoS:         1,
		Logger:      quiet,
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := mqtt.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Close(ctx)
	})
	return c
}

// do is Client.Do with a deadline, failing the test on a transport error.
func do(t testing.TB, c *mqtt.Client, method, target string, md endpoint.Metadata, body string) *endpoint.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := c.Do(ctx, method, target, md, []byte(body))
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	return resp
}

// problemOf decodes a problem reply.
func problemOf(t testing.TB, r *endpoint.Response) fault.Problem {
	t.Helper()
	if ct := r.Metadata.Get("content-type"); ct != fault.ProblemContentType {
		t.Fatalf("status %d content type %q, want problem+json; body %s", r.Status, ct, r.Body)
	}
	var p fault.Problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// eventually polls cond until it holds or timeout passes: for state owned by
// another process (the broker) or by background reconnection.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", timeout, what)
		}
		<-tick.C
	}
}

// rawClient publishes arbitrary payloads and collects what arrives on its
// reply topic, to test what the Client would never send.
type rawClient struct {
	cm      *autopaho.ConnectionManager
	topic   string
	replies chan *paho.Publish
}

func newRawClient(t testing.TB, b *testserver.Broker, replyTopic string) *rawClient {
	t.Helper()
	r := &rawClient{topic: replyTopic, replies: make(chan *paho.Publish, 64)}
	u, err := url.Parse(b.URL())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	subscribed := make(chan error, 1)
	cm, err := autopaho.NewConnection(context.Background(), autopaho.ClientConfig{
		ServerUrls: []*url.URL{u}, KeepAlive: 5, CleanStartOnInitialConnection: true,
		OnConnectionUp: func(cm *autopaho.ConnectionManager, _ *paho.Connack) {
			go func() {
				_, err := cm.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: replyTopic, QoS: 1}}})
				subscribed <- err
			}()
		},
		ClientConfig: paho.ClientConfig{ClientID: "raw-" + strings.ReplaceAll(replyTopic, "/", "-"),
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){func(pr paho.PublishReceived) (bool, error) {
				r.replies <- pr.Packet
				return true, nil
			}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.cm = cm
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = cm.Disconnect(ctx)
	})
	select {
	case err := <-subscribed:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("raw client: no connection")
	}
	return r
}

// publish sends payload to topic with the given properties.
func (r *rawClient) publish(t testing.TB, topic string, payload []byte, props *paho.PublishProperties) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := r.cm.Publish(ctx, &paho.Publish{Topic: topic, QoS: 1, Payload: payload, Properties: props}); err != nil {
		t.Fatal(err)
	}
}

// reply waits for the next reply.
func (r *rawClient) reply(t testing.TB) (*paho.Publish, *mqtt.ReplyEnvelope) {
	t.Helper()
	select {
	case p := <-r.replies:
		env, err := mqtt.DecodeReply(p.Payload)
		if err != nil {
			t.Fatalf("reply %s: %v", p.Payload, err)
		}
		return p, env
	case <-time.After(5 * time.Second):
		t.Fatal("no reply within 5s")
	}
	return nil, nil
}

// none asserts that no reply comes for what was published before: two
// probe requests sent after it are answered, and nothing else arrives.
func (r *rawClient) none(t testing.TB, prefix string) {
	t.Helper()
	for i := range 2 {
		id := fmt.Sprintf("probe-%d", i)
		r.publish(t, mqtt.RequestTopic(prefix), []byte(`{"method":"GET","path":"/notes/probe"}`),
			&paho.PublishProperties{ResponseTopic: r.topic, CorrelationData: []byte(id)})
		p, env := r.reply(t)
		if string(p.Properties.CorrelationData) != id {
			t.Fatalf("unexpected reply %s (correlation %q), want the probe's", p.Payload, p.Properties.CorrelationData)
		}
		if env.Status == 0 {
			t.Fatal("probe without status")
		}
	}
	select {
	case p := <-r.replies:
		t.Fatalf("unexpected reply %s", p.Payload)
	default:
	}
}

// gate lets tests hold handlers and know when they have started.
type gate struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newGate(n int) *gate {
	return &gate{entered: make(chan struct{}, n), release: make(chan struct{})}
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

// waitEntered waits until n handlers have entered.
func (g *gate) waitEntered(t testing.TB, n int) {
	t.Helper()
	for range n {
		select {
		case <-g.entered:
		case <-time.After(5 * time.Second):
			t.Fatalf("handlers did not start")
		}
	}
}
