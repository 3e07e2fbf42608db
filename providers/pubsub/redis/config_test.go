package redis

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/pubsub/pubsubtest"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestConfigValidate checks pubsub.redis's own fields and, once each, that
// the server's fields (validated and tested in internal/redisconn) sit at
// the top level of its config.
func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		name, json, field string
	}{
		{"no addr", `{}`, "addr"},
		{"zero maxLen", `{"addr": "h:1", "maxLen": 0}`, "maxLen"},
		{"zero maxAttempts", `{"addr": "h:1", "maxAttempts": 0}`, "maxAttempts"},
		{"zero batch", `{"addr": "h:1", "batch": 0}`, "batch"},
		{"negative retryDelay", `{"addr": "h:1", "retryDelay": "-1s"}`, "retryDelay"},
		{"zero claimIdle", `{"addr": "h:1", "claimIdle": "0s"}`, "claimIdle"},
		{"zero block", `{"addr": "h:1", "block": "0s"}`, "block"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var cfg Config
			err := config.DecodeModule("", "", json.RawMessage(c.json), &cfg)
			var list config.Errors
			if !errors.As(err, &list) || len(list) != 1 || list[0].Path != c.field {
				t.Fatalf("DecodeModule(%s) = %v, want one error on field %q", c.json, err, c.field)
			}
		})
	}
	var cfg Config
	raw := `{"addr": "127.0.0.1:6379", "password": "p", "prefix": "fleet:", "maxLen": 500,
		"maxAttempts": 5, "retryDelay": "100ms", "claimIdle": "10s", "block": "500ms", "tls": {"insecureSkipVerify": true}}`
	if err := config.DecodeModule("", "", json.RawMessage(raw), &cfg); err != nil {
		t.Fatalf("a good config: %v", err)
	}
	if cfg.MaxLen != 500 || cfg.MaxAttempts != 5 || cfg.RetryDelay.D() != 100*time.Millisecond ||
		cfg.ClaimIdle.D() != 10*time.Second || cfg.Block.D() != 500*time.Millisecond || cfg.Batch != DefaultBatch ||
		cfg.TLS == nil || !cfg.TLS.InsecureSkipVerify || cfg.Prefix != "fleet:" {
		t.Fatalf("decoded %+v", cfg)
	}
	cfg = Config{}
	if err := config.DecodeModule("", "", json.RawMessage(`{"addr": "h:1"}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Prefix != DefaultPrefix || cfg.MaxLen != DefaultMaxLen || cfg.MaxAttempts != DefaultMaxAttempts ||
		cfg.ClaimIdle.D() != DefaultClaimIdle || cfg.Block.D() != DefaultBlock || cfg.RetryDelay != 0 {
		t.Fatalf("defaults: %+v", cfg)
	}
	err := config.DecodeModule("", "", json.RawMessage(`{"addr": "h:1", "adress": "x"}`), &cfg)
	const known = "known fields: addr, batch, block, claimIdle, db, dialTimeout, maxAttempts, maxLen, " +
		"password, prefix, readTimeout, retryDelay, tls, username, writeTimeout"
	if err == nil || !strings.Contains(err.Error(), known) {
		t.Fatalf("unknown field: %v, want it rejected, listing the %s", err, known)
	}
}

func TestUnreachableServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	b := New(Config{Config: redisconn.Config{Addr: addr, DialTimeout: config.Duration(200 * time.Millisecond)}})
	err = b.Init(t.Context(), nil)
	if err == nil {
		t.Fatal("Init against a closed port succeeded")
	}
	for _, want := range []string{ID + ": cannot reach redis at " + addr, "is redis-server running?"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestModuleLifecycle(t *testing.T) {
	addr := testserver.Redis(t)
	r, err := module.Lookup(ID)
	if err != nil {
		t.Fatal(err)
	}
	m := r.New()
	raw := `{"addr": "` + addr + `", "prefix": "module:", "claimIdle": "5s"}`
	if err := config.DecodeModule("", "", json.RawMessage(raw), m.(module.Configurable).ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := m.(module.Initer).Init(ctx, &module.Env{ID: ID, Name: "bus"}); err != nil {
		t.Fatal(err)
	}
	bus := m.(pubsub.Bus)
	got := make(chan string, 1)
	if _, err := bus.Subscribe(ctx, "t", "g", func(_ context.Context, msg pubsub.Message) error {
		got <- string(msg.Data)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := bus.Publish(ctx, "t", []byte("hi"), nil); err != nil {
		t.Fatal(err)
	}
	if s := pubsubtest.Receive(t, got, "the message"); s != "hi" {
		t.Fatalf("got %q", s)
	}
	if err := m.(module.HealthChecker).Health(ctx); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(context.Background(), pubsubtest.Wait)
	defer cancel()
	if err := m.(module.Closer).Close(cctx); err != nil {
		t.Fatal(err)
	}
}
