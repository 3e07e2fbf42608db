package redis

import (
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// TestRedisRestartMidStream: the server restarts (losing every stream and
// group: it runs without persistence); the subscriber reconnects, recreates
// its group, and messages published afterwards flow again.
func TestRedisRestartMidStream(t *testing.T) {
	srv := testserver.StartRedis(t)
	cfg := Config{Config: redisconn.Config{Addr: srv.Addr(), Prefix: freshPrefix()}, Block: config.Duration(100 * time.Millisecond)}
	publisher, subscriber := newBus(t, cfg), newBus(t, cfg)
	got, _ := collect(t, subscriber, "events", "g")
	ctx := t.Context()
	if _, err := publisher.Publish(ctx, "events", []byte("before"), nil); err != nil {
		t.Fatal(err)
	}
	if m := pubsubtest.Receive(t, got, "the message before the restart"); string(m.Data) != "before" {
		t.Fatalf("got %q", m.Data)
	}

	srv.Stop()
	srv.Start()

	for i, data := range []string{"after-1", "after-2", "after-3"} {
		if _, err := publisher.Publish(ctx, "events", []byte(data), nil); err != nil {
			t.Fatalf("Publish %d after the restart: %v", i, err)
		}
		if m := pubsubtest.Receive(t, got, data+" after the restart"); string(m.Data) != data || m.Attempt != 1 {
			t.Fatalf("got %q attempt %d, want %q attempt 1", m.Data, m.Attempt, data)
		}
	}
	if err := subscriber.Health(ctx); err != nil {
		t.Fatalf("Health after the restart: %v", err)
	}
	if logs := subscriber.Logs.String(); !contains(logs, "recreated it") {
		t.Errorf("the subscriber did not log recreating its group:\n%s", logs)
	}
}
