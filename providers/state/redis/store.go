// Package redis is the Redis state provider (module id state.redis): the
// state of every host sharing one Redis server (or one per host), so a
// fleet of hosts sees one consistent store.
//
// Layout, under the configured key prefix P (default "cadenza:"):
//
//	P k:<key>  a hash per entry: field "r" the version (decimal), "v" the value
//	P rev      the store-wide revision counter (INCR)
//	P idx      a sorted set of every key, all with score 0 (member = key)
//
// Versions are store-wide revisions: each write increments P rev once and
// gives that number to every key it writes, so versions never repeat, also
// across delete and re-create, and across restarts of the host.
//
// Every write (Put, Delete, Batch) is one Lua script (scripts/write.lua,
// run with EVALSHA, falling back to EVAL) that checks every condition
// first, then increments the revision and applies all ops and their index
// updates; Redis runs a script atomically, so concurrent writers on any
// number of hosts cannot interleave. A failed condition returns the key's
// current version and the provider builds the Conflict with state.Cond.Check,
// so its messages are those of every other store.
//
// List reads a page with ZRANGEBYLEX on P idx (bounds "[prefix" or
// "(after", up to the prefix's successor, LIMIT page+1) and the page's
// hashes, in one read-only script (scripts/list.lua): ordered and paged in
// O(log n + page), never SCAN or KEYS.
//
// Keys and values are binary-safe. The provider addresses one server (or a
// primary): the scripts touch keys they compute, so Redis Cluster is not
// supported. Errors from Redis are fault.Unavailable with the cause; a
// context's deadline also bounds the socket I/O.
package redis

import (
	"context"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
)

// Store is a Redis-backed state.Store. Build it with Open, or let the host
// build it through the state.redis registration (config, then Init).
type Store struct {
	cfg Config
	rdb *goredis.Client

	// Key names, from cfg.Prefix.
	revKey, idxKey, entryPrefix string
}

var (
	_ state.Store          = (*Store)(nil)
	_ module.Configurable  = (*Store)(nil)
	_ module.Initer        = (*Store)(nil)
	_ module.Closer        = (*Store)(nil)
	_ module.HealthChecker = (*Store)(nil)
)

// Open connects to the server of cfg and checks it answers. Zero durations
// take their defaults; the prefix is used as given.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{cfg: withDefaults(cfg)}
	if err := s.Init(ctx, nil); err != nil {
		return nil, err
	}
	return s, nil
}

// withDefaults fills the zero durations of cfg.
func withDefaults(cfg Config) Config {
	var d Config
	d.Defaults()
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = d.DialTimeout
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = d.ReadTimeout
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = d.WriteTimeout
	}
	return cfg
}

// ConfigTarget returns the config struct for the host to decode into.
func (s *Store) ConfigTarget() any { return &s.cfg }

// Init connects to the configured server and checks it answers PING.
func (s *Store) Init(ctx context.Context, env *module.Env) error {
	rdb, err := connect(ctx, s.cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", ID, err)
	}
	s.rdb = rdb
	s.revKey = s.cfg.Prefix + "rev"
	s.idxKey = s.cfg.Prefix + "idx"
	s.entryPrefix = s.cfg.Prefix + "k:"
	if env != nil && env.Logger != nil {
		env.Logger.Info("state store connected", "provider", ID, "addr", s.cfg.Addr, "db", s.cfg.DB, "prefix", s.cfg.Prefix, "tls", s.cfg.TLS != nil)
	}
	return nil
}

// Close closes the connections. It is safe to call more than once.
func (s *Store) Close(context.Context) error {
	if s.rdb == nil {
		return nil
	}
	if err := s.rdb.Close(); err != nil && !errors.Is(err, goredis.ErrClosed) {
		return fault.Wrap(err, fault.Unavailable, "%s close", ID)
	}
	return nil
}

// Health pings the server.
func (s *Store) Health(ctx context.Context) error {
	if s.rdb == nil {
		return notOpen()
	}
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return backend(err, "health")
	}
	return nil
}

// connect opens a client for cfg, with its pool size, and checks the
// server answers PING.
func connect(ctx context.Context, cfg Config) (*goredis.Client, error) {
	opts, err := redisconn.Options(cfg.Config)
	if err != nil {
		return nil, err
	}
	opts.PoolSize = cfg.PoolSize
	return redisconn.Connect(ctx, opts)
}

// entryKey is the hash holding key's entry.
func (s *Store) entryKey(key string) string { return s.entryPrefix + key }
