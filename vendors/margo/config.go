package margo

import (
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
)

// Config is the "config" of a vendors.margo instance.
type Config struct {
	// Prefix is prepended to every route (default "/api/v1"). It starts
	// with "/" and does not end with one; "" serves at the root.
	Prefix string `json:"prefix"`
	// Signature bounds the RFC 9421 created parameter.
	Signature SignatureConfig `json:"signature"`
	// RequireSignedOnboarding refuses (401) an onboarding request that
	// carries no signature. Off by default: the reference sandbox onboards
	// unsigned, and its conformance suite expects that to be accepted.
	RequireSignedOnboarding bool `json:"requireSignedOnboarding"`
	// CompressMinBytes is the smallest deployment YAML that is gzipped when
	// the client accepts gzip (default 1024).
	CompressMinBytes int `json:"compressMinBytes"`
}

// SignatureConfig is the replay window of request signatures.
type SignatureConfig struct {
	// Window is the maximum age of a signature's created time (default 5m).
	Window config.Duration `json:"window"`
	// Skew is how far in the future created may be (default 30s).
	Skew config.Duration `json:"skew"`
}

// Defaults implements config.Defaulter.
func (c *Config) Defaults() {
	c.Prefix = "/api/v1"
	c.Signature.Window = config.Duration(5 * time.Minute)
	c.Signature.Skew = config.Duration(30 * time.Second)
	c.CompressMinBytes = 1024
}

// Validate implements config.Validator.
func (c *Config) Validate() error {
	var errs config.Errors
	if err := validatePrefix(c.Prefix); err != nil {
		errs = append(errs, err)
	}
	if c.Signature.Window <= 0 {
		errs = append(errs, config.Field("signature.window", "must be positive, e.g. \"5m\""))
	}
	if c.Signature.Skew <= 0 {
		errs = append(errs, config.Field("signature.skew", "must be positive, e.g. \"30s\""))
	}
	if c.CompressMinBytes < 0 {
		errs = append(errs, config.Field("compressMinBytes", "must not be negative"))
	}
	return errs.Err()
}

// validatePrefix checks a route prefix: "" or "/seg[/seg...]" with no
// trailing slash and no route syntax.
func validatePrefix(p string) *config.Error {
	switch {
	case p == "":
		return nil
	case !strings.HasPrefix(p, "/"):
		return config.Field("prefix", "%q must start with \"/\", e.g. \"/api/v1\"", p)
	case strings.HasSuffix(p, "/"):
		return config.Field("prefix", "%q must not end with \"/\"", p)
	case strings.ContainsAny(p, "{}?#* \t"):
		return config.Field("prefix", "%q must be a plain path (no {, }, ?, #, * or spaces)", p)
	case strings.Contains(p, "//"):
		return config.Field("prefix", "%q has an empty segment", p)
	}
	return nil
}
