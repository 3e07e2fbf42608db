package bolt

import (
	"context"
	"os"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
)

// Config is state.bolt's config.
type Config struct {
	// Path is the database file, relative to the working directory unless
	// absolute (e.g. "var/wfm.db"). Required.
	Path string `json:"path"`
	// OpenTimeout is how long to wait for the file lock held by another
	// process (default 2s).
	OpenTimeout config.Duration `json:"openTimeout"`
	// NoSync skips the fsync after each write (default false).
	NoSync bool `json:"noSync"`
}

// Defaults fills the defaults before the host decodes the config.
func (c *Config) Defaults() { c.OpenTimeout = config.Duration(DefaultOpenTimeout) }

// Validate checks the decoded config.
func (c *Config) Validate() error {
	var errs config.Errors
	switch {
	case c.Path == "":
		errs = append(errs, config.Field("path", `is required: set the database file, e.g. "var/wfm.db"`))
	case strings.HasSuffix(c.Path, "/") || strings.HasSuffix(c.Path, string(os.PathSeparator)):
		errs = append(errs, config.Field("path", "%q names a directory: add a file name, e.g. %q", c.Path, c.Path+"wfm.db"))
	}
	if c.OpenTimeout < 0 {
		errs = append(errs, config.Field("openTimeout", "must not be negative, got %s", c.OpenTimeout))
	}
	return errs.Err()
}

// ConfigTarget returns the config struct for the host to decode into.
func (s *Store) ConfigTarget() any { return &s.cfg }

// Init opens the configured database.
func (s *Store) Init(_ context.Context, env *module.Env) error {
	db, err := openDB(s.cfg.Path, Options{OpenTimeout: s.cfg.OpenTimeout.D(), NoSync: s.cfg.NoSync})
	if err != nil {
		return err
	}
	s.db = db
	if env != nil && env.Logger != nil {
		env.Logger.Info("state database open", "path", db.Path(), "noSync", s.cfg.NoSync)
	}
	return nil
}
