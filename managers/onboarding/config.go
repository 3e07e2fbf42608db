package onboarding

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/managers/authority"
)

// Defaults of the config.
const (
	DefaultCAValidity         = 10 * 365 * 24 * time.Hour           // 87600h
	DefaultServerCertValidity = authority.DefaultServerCertValidity // 8760h
	DefaultMinRSABits         = 2048
)

// Policy modes.
const (
	ModeAuto      = "auto"      // every acceptable certificate is approved
	ModeAllowlist = "allowlist" // only keyids in allow are accepted (approved)
	ModeManual    = "manual"    // new clients wait (pending) for an operator, except keyids in allow
)

// Config is the config of managers.onboarding.
type Config struct {
	// CA, when set, is the CA to use; otherwise one is generated on the first
	// start and kept in the state store.
	CA *CAFiles `json:"ca,omitempty"`
	// CAValidity is the lifetime of a generated CA (default 87600h).
	CAValidity config.Duration `json:"caValidity"`
	// CAFile, when set, is where the CA certificate (PEM, public) is written
	// at start, e.g. "var/wfm/ca.pem".
	CAFile string `json:"caFile,omitempty"`
	// ServerCertificate, when set, makes Init issue a TLS server certificate
	// from the CA and write it where bindings.http's tls.cert/tls.key point.
	ServerCertificate *ServerCertificate `json:"serverCertificate,omitempty"`
	// Policy decides which certificates are accepted and in which state.
	Policy Policy `json:"policy"`
	// MinRSABits is the smallest RSA modulus accepted from a device (default 2048).
	MinRSABits int `json:"minRSABits"`
}

// CAFiles names a CA's PEM files.
type CAFiles = authority.Files

// Policy is the onboarding policy. Key ids are the lowercase hex SHA-256 of
// a certificate's DER SubjectPublicKeyInfo (the Margo keyid).
type Policy struct {
	// Mode is "auto" (default), "allowlist" or "manual".
	Mode string `json:"mode"`
	// Allow lists key ids accepted and approved at once in every mode; in
	// mode "allowlist" it is the only way in.
	Allow []string `json:"allow,omitempty"`
	// Deny lists key ids always refused (403), whatever else says.
	Deny []string `json:"deny,omitempty"`
	// RequireEndEntity refuses client certificates that say they are a CA
	// (basicConstraints cA=TRUE, or a key usage for signing certificates).
	// P1 does not require it, and `openssl req -x509` makes such
	// certificates by default, so they are accepted with a warning unless
	// this is set.
	RequireEndEntity bool `json:"requireEndEntity,omitempty"`
}

// Defaults fills the defaults before the host decodes the config.
func (c *Config) Defaults() {
	c.CAValidity = config.Duration(DefaultCAValidity)
	c.Policy.Mode = ModeAuto
	c.MinRSABits = DefaultMinRSABits
}

// fillZero applies the defaults to zero fields, for a Manager whose config
// was not decoded by the host (config.DecodeModule calls Defaults).
func (c *Config) fillZero() {
	if c.CAValidity == 0 {
		c.CAValidity = config.Duration(DefaultCAValidity)
	}
	if c.Policy.Mode == "" {
		c.Policy.Mode = ModeAuto
	}
	if c.MinRSABits == 0 {
		c.MinRSABits = DefaultMinRSABits
	}
}

// Validate checks the config without touching files or the store.
func (c *Config) Validate() error {
	var errs config.Errors
	if c.CA != nil {
		if c.CA.Cert == "" {
			errs = append(errs, config.Field("ca.cert", `required with "ca": the CA's PEM certificate file`))
		}
		if c.CA.Key == "" {
			errs = append(errs, config.Field("ca.key", `required with "ca": the CA's PEM private key file`))
		}
	}
	if c.CAValidity < config.Duration(time.Hour) {
		errs = append(errs, config.Field("caValidity", "must be at least 1h, got %s", c.CAValidity))
	}
	if s := c.ServerCertificate; s != nil {
		errs = append(errs, s.Check("serverCertificate")...)
	}
	errs = append(errs, c.Policy.check()...)
	if c.MinRSABits < 2048 || c.MinRSABits > 16384 {
		errs = append(errs, config.Field("minRSABits", "must be between 2048 and 16384, got %d", c.MinRSABits))
	}
	return errs.Err()
}

func (p *Policy) check() config.Errors {
	var errs config.Errors
	switch p.Mode {
	case ModeAuto, ModeAllowlist, ModeManual:
	default:
		errs = append(errs, config.Field("policy.mode", `must be "auto", "allowlist" or "manual", got %q`, p.Mode))
	}
	denied := map[string]bool{}
	for i, k := range p.Deny {
		if !isKeyID(k) {
			errs = append(errs, config.Field(fmt.Sprintf("policy.deny[%d]", i), "%q is not a keyid: 64 hex digits (SHA-256 of the certificate's SubjectPublicKeyInfo)", k))
		}
		denied[strings.ToLower(k)] = true
	}
	for i, k := range p.Allow {
		switch {
		case !isKeyID(k):
			errs = append(errs, config.Field(fmt.Sprintf("policy.allow[%d]", i), "%q is not a keyid: 64 hex digits (SHA-256 of the certificate's SubjectPublicKeyInfo)", k))
		case denied[strings.ToLower(k)]:
			errs = append(errs, config.Field(fmt.Sprintf("policy.allow[%d]", i), "%q is also in policy.deny: remove it from one of them", k))
		}
	}
	return errs
}

// isKeyID reports whether s is 64 hex digits.
func isKeyID(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// ServerCertificate configures the TLS server certificate Init issues from
// the CA (see authority.ServerCertificate).
type ServerCertificate = authority.ServerCertificate
