package fleet

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/cadenza-edge/cadenza/coa/config"
)

// Config is the "config" of a vendors.fleet instance.
type Config struct {
	// Prefix is prepended to every route (default "/fleet/v1").
	Prefix string `json:"prefix"`
	// Tokens are the accepted bearer tokens. Keep them out of config
	// files: "${env:CADENZA_TOKEN}".
	Tokens []string `json:"tokens"`
	// ClientCertificates accepts, besides the tokens, a client certificate
	// that the HTTP binding verified (its tls.clientCA) when its subject
	// common name is listed; "*" accepts any certificate the binding
	// verified. Tokens or client certificates (or both) are required.
	ClientCertificates []string `json:"clientCertificates,omitempty"`
}

// Defaults implements config.Defaulter.
func (c *Config) Defaults() { c.Prefix = "/fleet/v1" }

// Validate implements config.Validator.
func (c *Config) Validate() error {
	var errs config.Errors
	switch p := c.Prefix; {
	case p == "":
	case !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//"):
		errs = append(errs, config.Field("prefix", "%q must be \"\" or start with \"/\" and not end with one, e.g. \"/fleet/v1\"", p))
	case strings.ContainsAny(p, "{}?#* \t"):
		errs = append(errs, config.Field("prefix", "%q must be a plain path (no {, }, ?, #, * or spaces)", p))
	}
	if len(c.Tokens) == 0 && len(c.ClientCertificates) == 0 {
		errs = append(errs, config.Field("tokens", "required: at least one bearer token, e.g. [\"${env:CADENZA_TOKEN}\"] (or clientCertificates)"))
	}
	for i, n := range c.ClientCertificates {
		if strings.TrimSpace(n) == "" {
			errs = append(errs, config.Field(fmt.Sprintf("clientCertificates[%d]", i), "must be a subject common name, or \"*\" for any certificate the binding verified"))
		}
	}
	for i, t := range c.Tokens {
		switch {
		case t == "":
			errs = append(errs, config.Field(fmt.Sprintf("tokens[%d]", i), "must not be empty (is the environment variable set?)"))
		case strings.IndexFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r > unicode.MaxASCII }) >= 0:
			errs = append(errs, config.Field(fmt.Sprintf("tokens[%d]", i), "must be printable ASCII without spaces"))
		}
	}
	return errs.Err()
}
