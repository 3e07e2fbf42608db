package git

import (
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
)

// ID is the module id.
const ID = "registry.git"

// Defaults of the config fields.
const (
	DefaultTimeout         = 60 * time.Second
	DefaultMaxPackageBytes = 10 << 20
	DefaultMaxPackageFiles = 1000
)

// Config is registry.git's config.
type Config struct {
	// Timeout bounds one Fetch (default 60s).
	Timeout config.Duration `json:"timeout"`
	// MaxPackageBytes bounds the total size of one package's files
	// (default 10 MiB); a larger package is reported TooLarge on its own.
	MaxPackageBytes int64 `json:"maxPackageBytes"`
	// MaxPackageFiles bounds the number of files of one package (default 1000).
	MaxPackageFiles int `json:"maxPackageFiles"`
	// AllowLocal lets registries name local repositories (a path or a
	// file:// URL). Off by default: whoever may add a registry could
	// otherwise read any repository on the host.
	AllowLocal bool `json:"allowLocal"`
}

// Defaults fills the defaults before decoding.
func (c *Config) Defaults() {
	c.Timeout = config.Duration(DefaultTimeout)
	c.MaxPackageBytes = DefaultMaxPackageBytes
	c.MaxPackageFiles = DefaultMaxPackageFiles
}

// Validate checks the decoded config.
func (c *Config) Validate() error {
	var errs config.Errors
	if c.Timeout.D() <= 0 {
		errs = append(errs, config.Field("timeout", "must be positive (got %s)", c.Timeout))
	}
	if c.MaxPackageBytes <= 0 {
		errs = append(errs, config.Field("maxPackageBytes", "must be positive (got %d)", c.MaxPackageBytes))
	}
	if c.MaxPackageFiles <= 0 {
		errs = append(errs, config.Field("maxPackageFiles", "must be positive (got %d)", c.MaxPackageFiles))
	}
	return errs.Err()
}
