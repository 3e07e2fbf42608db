package redis

import (
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/internal/redisconn"
)

// Defaults of Config.
const (
	DefaultPrefix       = redisconn.DefaultPrefix
	DefaultMaxLen       = 100000
	DefaultMaxAttempts  = 3
	DefaultClaimIdle    = 30 * time.Second
	DefaultBlock        = time.Second
	DefaultBatch        = 10
	DefaultDialTimeout  = redisconn.DefaultDialTimeout
	DefaultReadTimeout  = redisconn.DefaultReadTimeout
	DefaultWriteTimeout = redisconn.DefaultWriteTimeout
)

// Config is the pubsub.redis configuration: the server's fields (addr,
// username, password, db, prefix, tls, dialTimeout, readTimeout,
// writeTimeout; see redisconn.Config) and the bus's own. Keep secrets out
// of config files: "password": "${env:REDIS_PASSWORD}".
//
// Prefix starts every key the bus writes (default "cadenza:"): topic T is
// the stream "<prefix>t:T". Hosts that talk to each other use the same
// prefix.
type Config struct {
	redisconn.Config
	// MaxLen caps each topic's stream, approximately (XADD MAXLEN ~):
	// older messages are trimmed, even those a lagging group has not
	// handled yet. Default 100000.
	MaxLen int64 `json:"maxLen"`
	// MaxAttempts is how many times a message is handed to a group before
	// it is dropped. Default 3.
	MaxAttempts int `json:"maxAttempts"`
	// RetryDelay is the pause before each redelivery. Default 0.
	RetryDelay config.Duration `json:"retryDelay"`
	// ClaimIdle is how long a message may stay unacknowledged by a member
	// (one that crashed, or lost its connection) before another member of
	// the group claims it. Default 30s.
	ClaimIdle config.Duration `json:"claimIdle"`
	// Block is the longest a member's read waits on the server for new
	// messages. Default 1s.
	Block config.Duration `json:"block"`
	// Batch is how many messages a member reads at once. Default 10; 1
	// spreads a backlog most evenly over a group's members.
	Batch int `json:"batch"`
}

// TLSConfig is the TLS section of Config.
type TLSConfig = redisconn.TLSConfig

// Defaults fills the defaults before the host decodes the config.
func (c *Config) Defaults() {
	*c = Config{
		MaxLen:      DefaultMaxLen,
		MaxAttempts: DefaultMaxAttempts,
		ClaimIdle:   config.Duration(DefaultClaimIdle),
		Block:       config.Duration(DefaultBlock),
		Batch:       DefaultBatch,
	}
	c.Config.Defaults()
}

// Validate checks the decoded config.
func (c *Config) Validate() error {
	errs := c.Config.Validate()
	if c.MaxLen < 1 {
		errs = append(errs, config.Field("maxLen", "must be at least 1, got %d", c.MaxLen))
	}
	if c.MaxAttempts < 1 {
		errs = append(errs, config.Field("maxAttempts", "must be at least 1, got %d", c.MaxAttempts))
	}
	if c.Batch < 1 {
		errs = append(errs, config.Field("batch", "must be at least 1, got %d", c.Batch))
	}
	if c.RetryDelay < 0 {
		errs = append(errs, config.Field("retryDelay", "must not be negative, got %s", c.RetryDelay))
	}
	if c.ClaimIdle.D() < time.Millisecond {
		errs = append(errs, config.Field("claimIdle", "must be at least 1ms, got %s", c.ClaimIdle))
	}
	if c.Block.D() < time.Millisecond {
		errs = append(errs, config.Field("block", "must be at least 1ms, got %s", c.Block))
	}
	return errs.Err()
}

// withDefaults returns c with zero or invalid tuning fields replaced by
// their defaults (the prefix is kept as given).
func (c Config) withDefaults() Config {
	var d Config
	d.Defaults()
	if c.MaxLen < 1 {
		c.MaxLen = d.MaxLen
	}
	if c.MaxAttempts < 1 {
		c.MaxAttempts = d.MaxAttempts
	}
	if c.Batch < 1 {
		c.Batch = d.Batch
	}
	if c.RetryDelay < 0 {
		c.RetryDelay = 0
	}
	if c.ClaimIdle.D() < time.Millisecond {
		c.ClaimIdle = d.ClaimIdle
	}
	if c.Block.D() < time.Millisecond {
		c.Block = d.Block
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = d.DialTimeout
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = d.ReadTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = d.WriteTimeout
	}
	return c
}

// claimEvery is how often a member looks for messages idle for ClaimIdle:
// half of it, at most 5s, so released messages do not wait long.
func (c Config) claimEvery() time.Duration {
	return min(c.ClaimIdle.D()/2, 5*time.Second)
}
