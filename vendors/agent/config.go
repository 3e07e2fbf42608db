package agent

import (
	"strings"

	"github.com/cadenza-edge/cadenza/coa/config"
)

// Config is the "config" of a vendors.agent instance.
type Config struct {
	// Prefix is prepended to every route (default "/agent/v1").
	Prefix string `json:"prefix"`
}

// Defaults implements config.Defaulter.
func (c *Config) Defaults() { c.Prefix = "/agent/v1" }

// Validate implements config.Validator.
func (c *Config) Validate() error {
	p := c.Prefix
	switch {
	case p == "":
	case !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//"):
		return config.Field("prefix", "%q must be \"\" or start with \"/\" and not end with one, e.g. \"/agent/v1\"", p)
	case strings.ContainsAny(p, "{}?#* \t"):
		return config.Field("prefix", "%q must be a plain path (no {, }, ?, #, * or spaces)", p)
	}
	return nil
}
