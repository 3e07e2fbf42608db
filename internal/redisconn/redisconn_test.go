package redisconn

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// embedding is a provider config as the providers write theirs: Config
// embedded without a tag, its own fields next to it, and Defaults and
// Validate calling Config's.
type embedding struct {
	Config
	Own int `json:"own"`
}

func (e *embedding) Defaults() {
	*e = embedding{Own: 7}
	e.Config.Defaults()
}

func (e *embedding) Validate() error {
	errs := e.Config.Validate()
	if e.Own < 0 {
		errs = append(errs, config.Field("own", "must not be negative, got %d", e.Own))
	}
	return errs.Err()
}

func decode(raw string) (embedding, error) {
	var e embedding
	err := config.DecodeModule("", "", json.RawMessage(raw), &e)
	return e, err
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name, json, field string
	}{
		{"no addr", `{}`, "addr"},
		{"addr without port", `{"addr": "localhost"}`, "addr"},
		{"negative db", `{"addr": "h:1", "db": -1}`, "db"},
		{"negative dial timeout", `{"addr": "h:1", "dialTimeout": "-1s"}`, "dialTimeout"},
		{"negative read timeout", `{"addr": "h:1", "readTimeout": "-1s"}`, "readTimeout"},
		{"negative write timeout", `{"addr": "h:1", "writeTimeout": "-1s"}`, "writeTimeout"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := decode(c.json)
			var list config.Errors
			if !errors.As(err, &list) || len(list) != 1 || list[0].Path != c.field {
				t.Fatalf("DecodeModule(%s) = %v, want one error on field %q", c.json, err, c.field)
			}
		})
	}
	// The embedding config's own errors follow; the paths are the fields'.
	var list config.Errors
	if _, err := decode(`{"db": -1, "own": -1}`); !errors.As(err, &list) || len(list) != 3 ||
		list[0].Path != "addr" || list[1].Path != "db" || list[2].Path != "own" {
		t.Fatalf("several errors: %v", err)
	}
	if errs := (&Config{Addr: "h:1"}).Validate(); errs != nil {
		t.Fatalf("Validate of a good config = %v, want nil", errs)
	}
}

func TestDecode(t *testing.T) {
	raw := `{"addr": "127.0.0.1:6379", "username": "u", "password": "p", "db": 2, "prefix": "p:",
		"tls": {"ca": "/etc/ca.pem", "insecureSkipVerify": true}, "own": 1}`
	e, err := decode(raw)
	if err != nil {
		t.Fatalf("a good config: %v", err)
	}
	want := Config{Addr: "127.0.0.1:6379", Username: "u", Password: "p", DB: 2, Prefix: "p:",
		TLS:         &TLSConfig{CA: "/etc/ca.pem", InsecureSkipVerify: true},
		DialTimeout: config.Duration(DefaultDialTimeout), ReadTimeout: config.Duration(DefaultReadTimeout),
		WriteTimeout: config.Duration(DefaultWriteTimeout)}
	if e.TLS == nil || *e.TLS != *want.TLS {
		t.Fatalf("decoded tls %+v, want %+v", e.TLS, want.TLS)
	}
	e.TLS, want.TLS = nil, nil
	if e.Config != want || e.Own != 1 {
		t.Fatalf("decoded %+v, want %+v", e, want)
	}
	if e, err = decode(`{"addr": "h:1"}`); err != nil || e.Prefix != DefaultPrefix || e.Own != 7 {
		t.Fatalf("defaults: %+v, %v", e, err)
	}
	e, err = decode(`{"addr": "h:1", "dialTimeout": "1s", "readTimeout": "2s", "writeTimeout": "0s"}`)
	if err != nil || e.DialTimeout.D() != time.Second || e.ReadTimeout.D() != 2*time.Second || e.WriteTimeout != 0 {
		t.Fatalf("timeouts: %+v, %v", e, err)
	}
	if _, err := decode(`{"addr": "h:1", "adress": "x"}`); err == nil {
		t.Fatal("an unknown field was accepted")
	}
}

func TestTLSConfig(t *testing.T) {
	if _, err := tlsConfig("h:1", TLSConfig{CA: "/does/not/exist.pem"}); err == nil || !strings.Contains(err.Error(), "/does/not/exist.pem") {
		t.Errorf("missing CA file: %v", err)
	}
	if _, err := tlsConfig("h:1", TLSConfig{CA: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"}); err == nil {
		t.Error("a CA without a certificate was accepted")
	}
	tc, err := tlsConfig("redis.example:6380", TLSConfig{})
	if err != nil || tc.ServerName != "redis.example" || tc.RootCAs != nil {
		t.Errorf("tlsConfig without CA = %+v, %v", tc, err)
	}
	if _, err := Options(Config{Addr: "h:1", TLS: &TLSConfig{CA: "/does/not/exist.pem"}}); err == nil || !strings.Contains(err.Error(), "/does/not/exist.pem") {
		t.Errorf("Options with a missing CA file: %v", err)
	}
}

func TestOptions(t *testing.T) {
	opts, err := Options(Config{Addr: "h:1", Username: "u", Password: "p", DB: 3,
		DialTimeout: config.Duration(time.Second), ReadTimeout: config.Duration(2 * time.Second),
		WriteTimeout: config.Duration(3 * time.Second), TLS: &TLSConfig{InsecureSkipVerify: true}})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Addr != "h:1" || opts.Username != "u" || opts.Password != "p" || opts.DB != 3 ||
		opts.DialTimeout != time.Second || opts.ReadTimeout != 2*time.Second || opts.WriteTimeout != 3*time.Second ||
		!opts.ContextTimeoutEnabled || !opts.DisableIdentity || opts.PoolSize != 0 ||
		opts.TLSConfig == nil || !opts.TLSConfig.InsecureSkipVerify || opts.TLSConfig.ServerName != "h" {
		t.Fatalf("Options = %+v", opts)
	}
	if opts, err := Options(Config{Addr: "h:1"}); err != nil || opts.TLSConfig != nil {
		t.Fatalf("Options without TLS = %+v, %v", opts, err)
	}
}

func TestOpen(t *testing.T) {
	addr := testserver.Redis(t)
	var cfg Config
	cfg.Defaults()
	cfg.Addr = addr
	rdb, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rdb.Close()
	if err := rdb.Set(t.Context(), "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
}

func TestUnreachableServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err = Open(ctx, Config{Addr: addr, DialTimeout: config.Duration(200 * time.Millisecond)})
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	for _, want := range []string{"cannot reach redis at " + addr, "is redis-server running?", "check addr/password"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
