package memory

import (
	"github.com/cadenza-edge/cadenza/coa/config"
)

// Defaults of Config.
const (
	DefaultQueueSize   = 1024
	DefaultMaxAttempts = 3
)

// Config is the pubsub.memory configuration.
type Config struct {
	// QueueSize is how many undelivered messages one group holds (the
	// message being handled does not count); Publish blocks while a group's
	// queue is full. Default 1024.
	QueueSize int `json:"queueSize"`
	// MaxAttempts is how many times a message is handed to a group before it
	// is dropped. Default 3.
	MaxAttempts int `json:"maxAttempts"`
	// RetryDelay is the pause before each redelivery. Default 0.
	RetryDelay config.Duration `json:"retryDelay"`
}

// Defaults fills the defaults before the host decodes the config.
func (c *Config) Defaults() {
	c.QueueSize = DefaultQueueSize
	c.MaxAttempts = DefaultMaxAttempts
	c.RetryDelay = 0
}

// Validate checks the decoded config.
func (c *Config) Validate() error {
	var errs config.Errors
	if c.QueueSize <= 0 {
		errs = append(errs, config.Field("queueSize", "must be greater than 0, got %d", c.QueueSize))
	}
	if c.MaxAttempts < 1 {
		errs = append(errs, config.Field("maxAttempts", "must be at least 1, got %d", c.MaxAttempts))
	}
	if c.RetryDelay < 0 {
		errs = append(errs, config.Field("retryDelay", "must not be negative, got %s", c.RetryDelay))
	}
	return errs.Err()
}

// withDefaults returns c with zero or invalid fields replaced by defaults.
func (c Config) withDefaults() Config {
	if c.QueueSize <= 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.MaxAttempts < 1 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.RetryDelay < 0 {
		c.RetryDelay = 0
	}
	return c
}
