// Package redisconn is the Redis connection the Redis providers
// (state.redis, pubsub.redis) share: the config fields that name and reach
// the server, their defaults and checks, and opening a go-redis client from
// them with a PING that says what to check when it fails.
//
// A provider embeds Config in its own config struct (without a JSON tag, so
// the fields stay at the top level of the provider's config) and calls
// Defaults and Validate from its own methods. Errors of this package do not
// name the provider: the provider prefixes its module id.
package redisconn

import (
	"net"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
)

// Defaults of Config.
const (
	DefaultPrefix       = "cadenza:"
	DefaultDialTimeout  = 5 * time.Second
	DefaultReadTimeout  = 3 * time.Second
	DefaultWriteTimeout = 3 * time.Second
)

// Config names a Redis server and how to reach it. Keep secrets out of
// config files: "password": "${env:REDIS_PASSWORD}".
type Config struct {
	// Addr is the server's host:port, e.g. "127.0.0.1:6379". Required.
	Addr string `json:"addr"`
	// Username and Password authenticate (AUTH; Username for Redis ACLs).
	Username string `json:"username"`
	Password string `json:"password"`
	// DB is the logical database number (default 0).
	DB int `json:"db"`
	// Prefix starts every key the provider writes (default "cadenza:"); the
	// provider's documentation says what it puts under it.
	Prefix string `json:"prefix"`
	// TLS, when set, connects with TLS.
	TLS *TLSConfig `json:"tls"`
	// DialTimeout bounds connecting (default 5s); ReadTimeout and
	// WriteTimeout bound each command's socket reads and writes (default 3s).
	DialTimeout  config.Duration `json:"dialTimeout"`
	ReadTimeout  config.Duration `json:"readTimeout"`
	WriteTimeout config.Duration `json:"writeTimeout"`
}

// TLSConfig is the TLS section of Config.
type TLSConfig struct {
	// CA is the PEM bundle that verifies the server: a file path, or the
	// PEM text itself (e.g. "${file:/etc/cadenza/redis-ca.pem}"). Empty:
	// the system roots.
	CA string `json:"ca"`
	// InsecureSkipVerify accepts any server certificate. For tests only.
	InsecureSkipVerify bool `json:"insecureSkipVerify"`
}

// Defaults resets c to the defaults: the default prefix and timeouts, every
// other field zero.
func (c *Config) Defaults() {
	*c = Config{
		Prefix:       DefaultPrefix,
		DialTimeout:  config.Duration(DefaultDialTimeout),
		ReadTimeout:  config.Duration(DefaultReadTimeout),
		WriteTimeout: config.Duration(DefaultWriteTimeout),
	}
}

// Validate checks the decoded fields. The errors' paths are the fields'
// JSON names, which are also their paths in the embedding config; a
// provider appends the errors of its own fields and returns errs.Err().
func (c *Config) Validate() config.Errors {
	var errs config.Errors
	if c.Addr == "" {
		errs = append(errs, config.Field("addr", `is required: set the server's host:port, e.g. "127.0.0.1:6379"`))
	} else if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, config.Field("addr", "%q is not host:port, e.g. \"127.0.0.1:6379\"", c.Addr))
	}
	if c.DB < 0 {
		errs = append(errs, config.Field("db", "must not be negative, got %d", c.DB))
	}
	for _, d := range []struct {
		name string
		v    config.Duration
	}{{"dialTimeout", c.DialTimeout}, {"readTimeout", c.ReadTimeout}, {"writeTimeout", c.WriteTimeout}} {
		if d.v < 0 {
			errs = append(errs, config.Field(d.name, "must not be negative, got %s", d.v))
		}
	}
	return errs
}
