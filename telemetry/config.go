// Package telemetry sets up OpenTelemetry tracing and metrics and the slog
// logger from the host config: OTLP/HTTP export when an endpoint is
// configured, a Prometheus scrape endpoint when enabled, and logs (text or
// JSON) that carry the trace and span ids of the request they belong to.
package telemetry

import (
	"net/url"

	"github.com/cadenza-edge/cadenza/coa/config"
)

// Config is the host config's "telemetry" member.
type Config struct {
	// ServiceName defaults to "cadenza".
	ServiceName string `json:"serviceName,omitempty"`
	// SampleRatio is the fraction of root traces sampled (default 1).
	SampleRatio *float64 `json:"sampleRatio,omitempty"`
	// OTLP exports traces and metrics over OTLP/HTTP when set.
	OTLP *OTLPConfig `json:"otlp,omitempty"`
	// Prometheus serves a scrape endpoint on every binding when enabled.
	Prometheus *PrometheusConfig `json:"prometheus,omitempty"`
}

// OTLPConfig configures the OTLP/HTTP exporters.
type OTLPConfig struct {
	// Endpoint is the collector's base URL, e.g. "http://127.0.0.1:4318".
	Endpoint string            `json:"endpoint"`
	Headers  map[string]string `json:"headers,omitempty"`
	// Interval between metric exports (default 30s).
	Interval config.Duration `json:"interval,omitempty"`
	// Timeout of one export (default 10s).
	Timeout config.Duration `json:"timeout,omitempty"`
}

// PrometheusConfig configures the scrape endpoint.
type PrometheusConfig struct {
	Enabled bool `json:"enabled"`
	// Path of the endpoint (default "/metrics").
	Path string `json:"path,omitempty"`
}

// Validate checks the config.
func (c *Config) Validate() error {
	var errs config.Errors
	if r := c.SampleRatio; r != nil && (*r < 0 || *r > 1) {
		errs = append(errs, config.Field("sampleRatio", "must be between 0 and 1"))
	}
	if o := c.OTLP; o != nil {
		u, err := url.Parse(o.Endpoint)
		if o.Endpoint == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, config.Field("otlp.endpoint", "must be an http(s) URL such as \"http://127.0.0.1:4318\""))
		}
		if o.Interval < 0 || o.Timeout < 0 {
			errs = append(errs, config.Field("otlp", "interval and timeout must not be negative"))
		}
	}
	if p := c.Prometheus; p != nil && p.Path != "" && p.Path[0] != '/' {
		errs = append(errs, config.Field("prometheus.path", "must start with /"))
	}
	return errs.Err()
}

// LogConfig is the host config's "logging" member.
type LogConfig struct {
	// Level is debug, info (default), warn or error.
	Level string `json:"level,omitempty"`
	// Format is text (default) or json.
	Format string `json:"format,omitempty"`
}

// Validate checks the config.
func (c *LogConfig) Validate() error {
	var errs config.Errors
	switch c.Level {
	case "", "debug", "info", "warn", "error":
	default:
		errs = append(errs, config.Field("level", "%q is not a level; use debug, info, warn or error", c.Level))
	}
	switch c.Format {
	case "", "text", "json":
	default:
		errs = append(errs, config.Field("format", "%q is not a format; use text or json", c.Format))
	}
	return errs.Err()
}
