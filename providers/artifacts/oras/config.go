package oras

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
)

// Defaults of the config fields.
const (
	DefaultRetries = 3
	DefaultBackoff = 500 * time.Millisecond
	DefaultTimeout = 5 * time.Minute
	DefaultMaxSize = 2 << 30 // 2 GiB
)

// Config is artifacts.oras's config.
type Config struct {
	// CacheDir holds the digest-addressed cache, e.g. "var/agent/artifacts".
	// Required; created when missing.
	CacheDir string `json:"cacheDir"`
	// Registries configure registries by "host" or "host:port", exactly as
	// written in references. A registry not listed is reached over HTTPS,
	// trusting the system CAs, with credentials from CredentialsFile if any.
	Registries map[string]Registry `json:"registries"`
	// CredentialsFile is a Docker-style config.json ("auths", and
	// "credHelpers"/"credsStore" naming docker-credential-* helpers); a
	// leading "~/" is the user's home. Optional; a missing file means no
	// credentials.
	CredentialsFile string `json:"credentialsFile"`
	// Layouts name local OCI layout directories, pulled with references
	// "oci-layout://NAME:TAG", "oci-layout://NAME@sha256:..." or, for a
	// layout per repository below the directory, "oci-layout://NAME/REPO:TAG".
	Layouts map[string]string `json:"layouts"`
	// Retries is how many times a pull that failed with a transient error
	// (network, 5xx, 429) is tried again (default 3; 0 tries once).
	Retries int `json:"retries"`
	// Backoff is the first delay between tries; it grows exponentially, with
	// jitter, up to 30s (default 500ms).
	Backoff config.Duration `json:"backoff"`
	// Timeout bounds one Pull, retries included (default 5m).
	Timeout config.Duration `json:"timeout"`
	// MaxSize is the largest content layer in bytes a pull accepts
	// (default 2 GiB).
	MaxSize int64 `json:"maxSize"`
}

// Registry is the config of one registry.
type Registry struct {
	// PlainHTTP reaches the registry over unencrypted HTTP. It is never
	// inferred (not from "localhost", not from a port number).
	PlainHTTP bool `json:"plainHTTP"`
	// CA is a PEM file of CA certificates trusted for this registry, in
	// addition to the system's.
	CA string `json:"ca"`
	// InsecureSkipVerify accepts any server certificate. For tests only.
	InsecureSkipVerify bool `json:"insecureSkipVerify"`
	// Username and Password are basic-auth credentials (also used to
	// obtain bearer tokens from the registry's token service).
	Username string `json:"username"`
	Password string `json:"password"`
	// Token is a registry access token, sent as "Authorization: Bearer".
	Token string `json:"token"`
	// Layout serves this registry from a local directory instead of the
	// network (a mirror for air-gapped devices, tests and demos):
	// "oci://HOST/REPO:TAG" reads the OCI layout directory LAYOUT/REPO. It
	// excludes every transport and credential setting.
	Layout string `json:"layout"`
}

// Defaults fills the defaults before the host decodes the config.
func (c *Config) Defaults() {
	c.Retries = DefaultRetries
	c.Backoff = config.Duration(DefaultBackoff)
	c.Timeout = config.Duration(DefaultTimeout)
	c.MaxSize = DefaultMaxSize
}

// Validate checks the decoded config; it reads no files (Init does).
func (c *Config) Validate() error {
	var errs config.Errors
	if c.CacheDir == "" {
		errs = append(errs, config.Field("cacheDir", `is required: set the cache directory, e.g. "var/agent/artifacts"`))
	}
	for _, host := range slices.Sorted(maps.Keys(c.Registries)) {
		r := c.Registries[host]
		path := fmt.Sprintf("registries[%q]", host)
		if err := validHost(host); err != nil {
			errs = append(errs, config.Field(path, "%v", err))
		}
		switch {
		case r.PlainHTTP && (r.CA != "" || r.InsecureSkipVerify):
			errs = append(errs, config.Field(path, "plainHTTP excludes ca and insecureSkipVerify: a plain-HTTP registry has no TLS"))
		case r.CA != "" && r.InsecureSkipVerify:
			errs = append(errs, config.Field(path, "set ca or insecureSkipVerify, not both"))
		}
		if r.Layout != "" && (r.PlainHTTP || r.CA != "" || r.InsecureSkipVerify || r.Username != "" || r.Password != "" || r.Token != "") {
			errs = append(errs, config.Field(path, "layout serves the registry from a local directory: it excludes plainHTTP, ca, insecureSkipVerify and credentials"))
			continue
		}
		switch {
		case r.Token != "" && (r.Username != "" || r.Password != ""):
			errs = append(errs, config.Field(path, "set token or username and password, not both"))
		case (r.Username == "") != (r.Password == ""):
			errs = append(errs, config.Field(path, "username and password go together"))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Layouts)) {
		dir := c.Layouts[name]
		if name == "" || strings.ContainsAny(name, "/:@ ") {
			errs = append(errs, config.Field(fmt.Sprintf("layouts[%q]", name), "a layout name is not empty and has no '/', ':', '@' or space"))
		}
		if dir == "" {
			errs = append(errs, config.Field(fmt.Sprintf("layouts[%q]", name), "is empty: set the OCI layout directory"))
		}
	}
	if c.Retries < 0 || c.Retries > 100 {
		errs = append(errs, config.Field("retries", "must be between 0 and 100, got %d", c.Retries))
	}
	if c.Backoff <= 0 {
		errs = append(errs, config.Field("backoff", "must be positive, got %s", c.Backoff))
	}
	if c.Timeout <= 0 {
		errs = append(errs, config.Field("timeout", "must be positive, got %s", c.Timeout))
	}
	if c.MaxSize <= 0 {
		errs = append(errs, config.Field("maxSize", "must be a positive number of bytes, got %d", c.MaxSize))
	}
	return errs.Err()
}

// validHost accepts "host" and "host:port", nothing with a scheme or path.
func validHost(h string) error {
	if h == "" || strings.Contains(h, "/") {
		return fmt.Errorf(`is not a registry host: write "host" or "host:port", without a scheme or path`)
	}
	if strings.Contains(h, ":") {
		if _, port, err := net.SplitHostPort(h); err != nil || port == "" {
			return fmt.Errorf(`is not a registry host: write "host" or "host:port"`)
		}
	}
	return nil
}
