package helm

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
)

// Defaults.
const (
	DefaultDriver  = "secret"
	DefaultTimeout = 5 * time.Minute
)

// Config is workload.helm's config.
type Config struct {
	// Kubeconfig is the path of the kubeconfig file. "" uses $KUBECONFIG
	// (its first existing file), then ~/.kube/config.
	Kubeconfig string `json:"kubeconfig"`
	// Context is the kubeconfig context ("" = the current context).
	Context string `json:"context"`
	// Driver is Helm's release storage: "secret" (default, like the helm
	// CLI), "configmap" or "memory" (releases forgotten on restart).
	Driver string `json:"driver"`
	// DefaultTimeout bounds Wait and hooks when a component sets no
	// timeout (default 5m).
	DefaultTimeout config.Duration `json:"defaultTimeout"`
	// Fake uses Helm's fake kube client and the memory driver: charts are
	// pulled, rendered and recorded as releases, but nothing is applied to
	// any cluster, and Wait completes at once. For tests and sandboxes
	// without a cluster only.
	Fake bool `json:"fake"`
	// PlainHTTP lists registry hosts ("host:port") reached over plain HTTP
	// when no artifacts provider is bound and Helm's own registry client
	// pulls the charts. Ignored when the artifacts role is bound.
	PlainHTTP []string `json:"plainHTTP"`
}

// Defaults fills the defaults before the host decodes the config.
func (c *Config) Defaults() {
	c.Driver = DefaultDriver
	c.DefaultTimeout = config.Duration(DefaultTimeout)
}

// Validate checks the decoded config; it reads no files (Init does).
func (c *Config) Validate() error {
	var errs config.Errors
	if !slices.Contains([]string{"secret", "configmap", "memory"}, c.Driver) {
		errs = append(errs, config.Field("driver", `must be "secret", "configmap" or "memory", got %q`, c.Driver))
	}
	if c.DefaultTimeout <= 0 {
		errs = append(errs, config.Field("defaultTimeout", "must be positive, got %s", c.DefaultTimeout))
	}
	for i, h := range c.PlainHTTP {
		if h == "" || strings.Contains(h, "/") {
			errs = append(errs, config.Field(fmt.Sprintf("plainHTTP[%d]", i), `%q is not a registry host: write "host" or "host:port"`, h))
		}
	}
	return errs.Err()
}

// kubeconfigPath finds the kubeconfig to use: the configured path, the
// first existing file of $KUBECONFIG, then ~/.kube/config. ok is false when
// none exists.
func kubeconfigPath(configured string) (path string, ok bool) {
	if configured != "" {
		_, err := os.Stat(configured)
		return configured, err == nil
	}
	for _, p := range filepath.SplitList(os.Getenv("KUBECONFIG")) {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".kube", "config")
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
	}
	return "", false
}
