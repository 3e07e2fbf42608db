package deployment

import (
	"net/url"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/config"
)

// Config is the config of managers.deployment.
type Config struct {
	// URLPrefix starts the relative URLs written in manifests:
	// <prefix>/clients/<clientId>/deployments/<id>/<digest> and
	// <prefix>/clients/<clientId>/bundles/<digest>. Default "/api/v1".
	URLPrefix string `json:"urlPrefix"`
	// KeepRevisions is how many older YAML revisions per deployment, and
	// older bundles per client, stay servable. Default 5.
	KeepRevisions int `json:"keepRevisions"`
	// StatusHistory is how many status reports are kept per deployment.
	// Default 50.
	StatusHistory int `json:"statusHistory"`
}

// Bounds of the config values.
const (
	maxKeepRevisions = 1000
	maxStatusHistory = 10000
)

// Defaults fills the defaults before decoding.
func (c *Config) Defaults() {
	c.URLPrefix = "/api/v1"
	c.KeepRevisions = 5
	c.StatusHistory = 50
}

// Validate checks the decoded config.
func (c *Config) Validate() error {
	var errs config.Errors
	if c.URLPrefix != "" {
		u, err := url.Parse(c.URLPrefix)
		switch {
		case err != nil:
			errs = append(errs, config.Field("urlPrefix", "is not a URL path: %v", err))
		case !strings.HasPrefix(c.URLPrefix, "/") || u.Host != "" || u.RawQuery != "" || u.Fragment != "":
			errs = append(errs, config.Field("urlPrefix", `must be an absolute path such as "/api/v1" (got %q)`, c.URLPrefix))
		case strings.HasSuffix(c.URLPrefix, "/"):
			errs = append(errs, config.Field("urlPrefix", "must not end with a slash: use %q", strings.TrimRight(c.URLPrefix, "/")))
		}
	}
	if c.KeepRevisions < 0 || c.KeepRevisions > maxKeepRevisions {
		errs = append(errs, config.Field("keepRevisions", "must be between 0 and %d (got %d)", maxKeepRevisions, c.KeepRevisions))
	}
	if c.StatusHistory < 1 || c.StatusHistory > maxStatusHistory {
		errs = append(errs, config.Field("statusHistory", "must be between 1 and %d (got %d)", maxStatusHistory, c.StatusHistory))
	}
	return errs.Err()
}

// URLPrefix is the prefix of the artifact URLs this manager writes into
// manifests; the vendor serving them checks it matches its own routes.
func (m *Manager) URLPrefix() string { return m.cfg.URLPrefix }
