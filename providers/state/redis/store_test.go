package redis

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/coa/state/statetest"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

func TestConformance(t *testing.T) {
	addr := testserver.Redis(t)
	statetest.Run(t,
		func(t *testing.T) state.Store { return openStore(t, addr, freshPrefix()) },
		statetest.Reopen(func(t *testing.T, s state.Store) state.Store {
			old := s.(*Store)
			if err := old.Close(context.Background()); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return openStore(t, addr, old.cfg.Prefix)
		}),
	)
}

// TestTwoHostsShareTheStore: two stores on one server and prefix (two
// hosts) see each other's writes, and a condition checked by one fails
// against a write of the other.
func TestTwoHostsShareTheStore(t *testing.T) {
	addr, prefix := testserver.Redis(t), freshPrefix()
	a, b := openStore(t, addr, prefix), openStore(t, addr, prefix)
	ctx := t.Context()

	va, err := a.Put(ctx, "shared", []byte("from a"), state.IfAbsent())
	if err != nil {
		t.Fatal(err)
	}
	e, err := b.Get(ctx, "shared")
	if err != nil || string(e.Value) != "from a" || e.Version != va {
		t.Fatalf("b.Get = %q@%d, %v; want %q@%d", e.Value, e.Version, err, "from a", va)
	}
	if _, err := b.Put(ctx, "shared", []byte("b again"), state.IfAbsent()); !fault.Is(err, fault.Conflict) {
		t.Fatalf("b.Put IfAbsent over a's key: %v, want a conflict", err)
	}
	vb, err := b.Put(ctx, "shared", []byte("from b"), state.IfVersion(va))
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Put(ctx, "shared", []byte("stale"), state.IfVersion(va))
	want := state.IfVersion(va).Check("shared", vb)
	if err == nil || err.Error() != want.Error() {
		t.Fatalf("a.Put with a stale version: %v, want the message of Cond.Check: %v", err, want)
	}
	vc, err := a.Put(ctx, "other", nil, state.Always())
	if err != nil {
		t.Fatal(err)
	}
	if vc <= vb {
		t.Fatalf("a's write got version %d after b's %d: the revision is not shared", vc, vb)
	}
	p, err := b.List(ctx, "", state.ListOptions{})
	if err != nil || len(p.Entries) != 2 {
		t.Fatalf("b.List = %+v, %v; want both keys", p, err)
	}

	// A store with another prefix on the same server sees none of it.
	other := openStore(t, addr, freshPrefix())
	if _, err := other.Get(ctx, "shared"); !fault.Is(err, fault.NotFound) {
		t.Fatalf("a store with another prefix: Get = %v, want not found", err)
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestUnreachableServer(t *testing.T) {
	addr := closedPort(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	start := time.Now()
	_, err := Open(ctx, Config{Config: redisconn.Config{Addr: addr, Prefix: "x:", DialTimeout: config.Duration(200 * time.Millisecond)}})
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	for _, want := range []string{ID + ": cannot reach redis at " + addr, "is redis-server running?", "check addr/password"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	t.Logf("gave up after %s: %v", time.Since(start), err)
}

func TestPassword(t *testing.T) {
	addr := testserver.Redis(t)
	admin := goredis.NewClient(&goredis.Options{Addr: addr})
	defer admin.Close()
	if err := admin.ConfigSet(t.Context(), "requirepass", "s3cret").Err(); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"", "wrong"} {
		_, err := Open(t.Context(), Config{Config: redisconn.Config{Addr: addr, Password: pw}})
		if err == nil || !strings.Contains(err.Error(), "check addr/password") {
			t.Errorf("Open with password %q: %v, want an error saying to check the password", pw, err)
		}
	}
	s, err := Open(t.Context(), Config{Config: redisconn.Config{Addr: addr, Password: "s3cret", Prefix: freshPrefix()}})
	if err != nil {
		t.Fatalf("Open with the password: %v", err)
	}
	defer s.Close(context.Background())
	if _, err := s.Put(t.Context(), "k", []byte("v"), state.Always()); err != nil {
		t.Fatal(err)
	}
}

func TestStoreNotOpen(t *testing.T) {
	var s Store
	ctx := t.Context()
	if _, err := s.Get(ctx, "k"); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Get: %v, want unavailable", err)
	}
	if _, err := s.Put(ctx, "k", nil, state.Always()); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Put: %v, want unavailable", err)
	}
	if _, err := s.List(ctx, "", state.ListOptions{}); !fault.Is(err, fault.Unavailable) {
		t.Errorf("List: %v, want unavailable", err)
	}
	if err := s.Health(ctx); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Health: %v, want unavailable", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestClosedStoreAndServerDown(t *testing.T) {
	srv := testserver.StartRedis(t)
	s := openStore(t, srv.Addr(), freshPrefix())
	ctx := t.Context()
	if err := s.Health(ctx); err != nil {
		t.Fatalf("Health: %v", err)
	}
	srv.Stop()
	if err := s.Health(ctx); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Health with the server down: %v, want unavailable", err)
	}
	if _, err := s.Put(ctx, "k", []byte("v"), state.Always()); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Put with the server down: %v, want unavailable", err)
	}
	srv.Start()
	if _, err := s.Put(ctx, "k", []byte("v"), state.Always()); err != nil {
		t.Errorf("Put after the server came back: %v", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "k"); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Get on a closed store: %v, want unavailable", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestConfigValidate checks state.redis's own field and, once each, that
// the server's fields (validated and tested in internal/redisconn) sit at
// the top level of its config.
func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		name, json, field string
	}{
		{"no addr", `{}`, "addr"},
		{"negative pool", `{"addr": "h:1", "poolSize": -2}`, "poolSize"},
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
	raw := `{"addr": "127.0.0.1:6379", "username": "u", "password": "p", "db": 2, "prefix": "p:",
		"tls": {"ca": "/etc/ca.pem", "insecureSkipVerify": true}, "poolSize": 4}`
	if err := config.DecodeModule("", "", json.RawMessage(raw), &cfg); err != nil {
		t.Fatalf("a good config: %v", err)
	}
	if cfg.DialTimeout.D() != DefaultDialTimeout || cfg.ReadTimeout.D() != DefaultReadTimeout ||
		cfg.WriteTimeout.D() != DefaultWriteTimeout || cfg.TLS == nil || cfg.TLS.CA != "/etc/ca.pem" || cfg.DB != 2 ||
		cfg.PoolSize != 4 {
		t.Fatalf("decoded %+v", cfg)
	}
	cfg = Config{}
	if err := config.DecodeModule("", "", json.RawMessage(`{"addr": "h:1"}`), &cfg); err != nil || cfg.Prefix != DefaultPrefix {
		t.Fatalf("default prefix: %q, %v", cfg.Prefix, err)
	}
	err := config.DecodeModule("", "", json.RawMessage(`{"addr": "h:1", "adress": "x"}`), &cfg)
	if err == nil {
		t.Fatal("an unknown field was accepted")
	}
	const known = "known fields: addr, db, dialTimeout, password, poolSize, prefix, readTimeout, tls, username, writeTimeout"
	if !strings.Contains(err.Error(), known) {
		t.Fatalf("unknown field: %v, want it to list the %s", err, known)
	}
}

func TestModuleLifecycle(t *testing.T) {
	addr := testserver.Redis(t)
	r, err := module.Lookup(ID)
	if err != nil {
		t.Fatal(err)
	}
	m := r.New()
	raw := `{"addr": "` + addr + `", "prefix": "module:", "dialTimeout": "1s"}`
	if err := config.DecodeModule("", "", json.RawMessage(raw), m.(module.Configurable).ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := m.(module.Initer).Init(ctx, &module.Env{ID: ID, Name: "state"}); err != nil {
		t.Fatal(err)
	}
	s := m.(state.Store)
	if _, err := s.Put(ctx, "k", []byte("v"), state.IfAbsent()); err != nil {
		t.Fatal(err)
	}
	if err := m.(module.HealthChecker).Health(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.(module.Closer).Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLexRange(t *testing.T) {
	for _, c := range []struct{ prefix, after, lo, hi string }{
		{"", "", "-", "+"},
		{"a/", "", "[a/", "(a0"},
		{"a/", "a/x", "(a/x", "(a0"},
		{"a/", "0", "[a/", "(a0"},
		{"a\xff", "", "[a\xff", "(b"},
		{"\xff\xff", "", "[\xff\xff", "+"},
		{"", "k", "(k", "+"},
	} {
		lo, hi := lexRange(c.prefix, c.after)
		if lo != c.lo || hi != c.hi {
			t.Errorf("lexRange(%q, %q) = %q, %q; want %q, %q", c.prefix, c.after, lo, hi, c.lo, c.hi)
		}
	}
}
