package redis

import (
	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
)

// Defaults of Config.
const (
	DefaultPrefix       = redisconn.DefaultPrefix
	DefaultDialTimeout  = redisconn.DefaultDialTimeout
	DefaultReadTimeout  = redisconn.DefaultReadTimeout
	DefaultWriteTimeout = redisconn.DefaultWriteTimeout
)

// Config is state.redis's config: the server's fields (addr, username,
// password, db, prefix, tls, dialTimeout, readTimeout, writeTimeout; see
// redisconn.Config) and the pool size. Keep secrets out of config files:
// "password": "${env:REDIS_PASSWORD}".
//
// Prefix starts every key the store writes (default "cadenza:"), so
// several hosts or tests can share one server. Give each store its own.
type Config struct {
	redisconn.Config
	// PoolSize is the connection pool size; 0 keeps go-redis's default (10
	// per CPU).
	PoolSize int `json:"poolSize"`
}

// TLSConfig is the TLS section of Config.
type TLSConfig = redisconn.TLSConfig

// Defaults fills the defaults before the host decodes the config.
func (c *Config) Defaults() {
	*c = Config{}
	c.Config.Defaults()
}

// Validate checks the decoded config.
func (c *Config) Validate() error {
	errs := c.Config.Validate()
	if c.PoolSize < 0 {
		errs = append(errs, config.Field("poolSize", "must not be negative, got %d (0 is the default)", c.PoolSize))
	}
	return errs.Err()
}
