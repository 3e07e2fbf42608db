package compose

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
)

// Defaults.
const (
	DefaultWorkDir        = "var/agent/compose"
	DefaultTimeout        = 5 * time.Minute
	DefaultMaxPackageSize = 64 << 20  // bytes fetched per package (or signature, key)
	DefaultMaxUnpacked    = 256 << 20 // bytes an archive may unpack to
)

// Config is workload.compose's config.
type Config struct {
	// WorkDir holds one directory per project (unpacked package and
	// state). Required; default "var/agent/compose".
	WorkDir string `json:"workDir"`
	// DockerHost is the engine's address (e.g. "unix:///run/docker.sock");
	// "" uses DOCKER_HOST or the default socket.
	DockerHost string `json:"dockerHost"`
	// RemoveVolumes makes Remove delete the project's named volumes too
	// (default false: data survives a removal).
	RemoveVolumes bool `json:"removeVolumes"`
	// DefaultTimeout bounds Wait when a component sets no timeout (5m).
	DefaultTimeout config.Duration `json:"defaultTimeout"`
	// AllowFileURLs accepts local paths and file:// package locations
	// (default true; turn it off on devices that only take http(s)).
	AllowFileURLs bool `json:"allowFileURLs"`
	// FetchTimeout bounds each http(s) download (default 2m).
	FetchTimeout config.Duration `json:"fetchTimeout"`
	// MaxPackageSize caps a downloaded package in bytes (default 64 MiB).
	MaxPackageSize int64 `json:"maxPackageSize"`
	// MaxUnpackedSize caps what an archive unpacks to (default 256 MiB).
	MaxUnpackedSize int64 `json:"maxUnpackedSize"`
	// CAFile is a PEM bundle of CA certificates trusted, besides the
	// system roots, for https:// package, signature and key fetches (a
	// private CA). "" trusts the system roots only. Not used for oci://
	// packages: the artifacts provider has its own trust settings.
	CAFile string `json:"caFile"`
	// OCIMediaTypes are the content-layer media types accepted in an
	// oci:// package's manifest (exactly one layer must match). Default:
	// OCIMediaTypes (the package variable).
	OCIMediaTypes []string `json:"ociMediaTypes"`
}

// Defaults fills the defaults before the host decodes the config.
func (c *Config) Defaults() {
	c.WorkDir = DefaultWorkDir
	c.DefaultTimeout = config.Duration(DefaultTimeout)
	c.AllowFileURLs = true
	c.FetchTimeout = config.Duration(2 * time.Minute)
	c.MaxPackageSize = DefaultMaxPackageSize
	c.MaxUnpackedSize = DefaultMaxUnpacked
}

// fill sets defaults on zero fields (for New, which takes a literal).
func (c *Config) fill() {
	var d Config
	d.Defaults()
	if c.DefaultTimeout == 0 {
		c.DefaultTimeout = d.DefaultTimeout
	}
	if c.FetchTimeout == 0 {
		c.FetchTimeout = d.FetchTimeout
	}
	if c.MaxPackageSize == 0 {
		c.MaxPackageSize = d.MaxPackageSize
	}
	if c.MaxUnpackedSize == 0 {
		c.MaxUnpackedSize = d.MaxUnpackedSize
	}
}

// Validate checks the decoded config.
func (c *Config) Validate() error {
	var errs config.Errors
	if c.WorkDir == "" {
		errs = append(errs, config.Field("workDir", `is required: set a directory for unpacked projects, e.g. %q`, DefaultWorkDir))
	}
	if c.DefaultTimeout <= 0 {
		errs = append(errs, config.Field("defaultTimeout", "must be positive, got %s", c.DefaultTimeout))
	}
	if c.FetchTimeout <= 0 {
		errs = append(errs, config.Field("fetchTimeout", "must be positive, got %s", c.FetchTimeout))
	}
	if c.MaxPackageSize <= 0 || c.MaxUnpackedSize <= 0 {
		errs = append(errs, config.Field("maxPackageSize", "maxPackageSize and maxUnpackedSize must be positive"))
	}
	if c.CAFile != "" {
		if _, err := readCAFile(c.CAFile); err != nil {
			errs = append(errs, config.Field("caFile", "%v", err))
		}
	}
	for i, mt := range c.OCIMediaTypes {
		if mt == "" || !strings.Contains(mt, "/") || strings.ContainsAny(mt, " ,;") {
			errs = append(errs, config.Field(fmt.Sprintf("ociMediaTypes[%d]", i), "%q is not a media type (e.g. %q)", mt, MediaTypeArchive))
		}
	}
	return errs.Err()
}

// ConfigTarget returns the config struct for the host to decode into.
func (p *Provider) ConfigTarget() any { return &p.cfg }

// Init resolves the artifacts role and creates the work directory.
func (p *Provider) Init(_ context.Context, env *module.Env) error {
	var log *slog.Logger
	var puller artifacts.Puller
	if env != nil {
		log = env.Logger
		puller, _ = module.Use[artifacts.Puller](env, RoleArtifacts)
	}
	return p.setup(puller, log)
}

func (p *Provider) setup(puller artifacts.Puller, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	client, err := p.cfg.httpClient()
	if err != nil {
		return err
	}
	p.log = log
	p.puller = puller
	p.client = client
	if err := os.MkdirAll(p.cfg.WorkDir, 0o750); err != nil {
		return fmt.Errorf("workload.compose: cannot create workDir %q: %w", p.cfg.WorkDir, err)
	}
	p.log.Info("compose workload provider ready", "workDir", p.cfg.WorkDir, "dockerHost", p.cfg.DockerHost, "artifacts", puller != nil, "caFile", p.cfg.CAFile)
	return nil
}

// Health pings the Docker engine.
func (p *Provider) Health(ctx context.Context) error {
	cli, err := p.dockerCLI(nil)
	if err != nil {
		return err
	}
	defer cli.Client().Close()
	if _, err := cli.Client().Ping(ctx); err != nil {
		return fault.Wrap(err, fault.Unavailable, "Docker engine not reachable at %s", cli.DockerEndpoint().Host)
	}
	return nil
}
