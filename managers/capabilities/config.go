package capabilities

import "github.com/cadenza-edge/cadenza/coa/config"

// Config is the config of managers.capabilities.
type Config struct {
	// History is how many distinct reports are kept per device. Default 20.
	History int `json:"history"`
}

// maxHistory bounds Config.History.
const maxHistory = 1000

// Defaults fills the defaults before decoding.
func (c *Config) Defaults() { c.History = 20 }

// Validate checks the decoded config.
func (c *Config) Validate() error {
	if c.History < 1 || c.History > maxHistory {
		return config.Field("history", "must be between 1 and %d (got %d)", maxHistory, c.History)
	}
	return nil
}
