package http

import (
	"net"

	"github.com/cadenza-edge/cadenza/coa/config"
)

// Config is the "config" of a bindings.http instance.
type Config struct {
	// Listen is the TCP address, e.g. "127.0.0.1:8443". Required.
	Listen string `json:"listen"`
	// TLS enables HTTPS. Without it the binding serves plain HTTP (for
	// loopback tests and behind a TLS-terminating proxy only).
	TLS *TLSConfig `json:"tls,omitempty"`
	// MaxBodyBytes limits request bodies (default 4 MiB); larger ones get 413.
	MaxBodyBytes int `json:"maxBodyBytes,omitempty"`
	// ReadTimeout, WriteTimeout and IdleTimeout bound connection phases
	// (defaults 30s, 30s, 120s).
	ReadTimeout  config.Duration `json:"readTimeout,omitempty"`
	WriteTimeout config.Duration `json:"writeTimeout,omitempty"`
	IdleTimeout  config.Duration `json:"idleTimeout,omitempty"`
	// HandlerTimeout cancels a handler's context after this long (default 60s).
	HandlerTimeout config.Duration `json:"handlerTimeout,omitempty"`
	// DisableKeepAlive closes the connection after each response.
	DisableKeepAlive bool `json:"disableKeepAlive,omitempty"`
	// TrustProxyHeaders takes the scheme and authority of requests from
	// Forwarded (RFC 7239) or X-Forwarded-Proto / X-Forwarded-Host, for a
	// binding behind a TLS-terminating proxy: RFC 9421 signatures cover the
	// URI the client used. Enable it only when every request comes through
	// such a proxy, which must overwrite these headers.
	TrustProxyHeaders bool `json:"trustProxyHeaders,omitempty"`
	// MaxConnsPerIP limits concurrent connections from one address (0 = unlimited).
	MaxConnsPerIP int `json:"maxConnsPerIP,omitempty"`
}

// TLSConfig selects the server certificate and TLS versions.
type TLSConfig struct {
	// Cert and Key are PEM files.
	Cert string `json:"cert"`
	Key  string `json:"key"`
	// MinVersion is "1.3" (default) or "1.2" (only when a client cannot do 1.3).
	MinVersion string `json:"minVersion,omitempty"`
	// ClientCA, when set, requests client certificates and verifies them
	// against this PEM bundle; verified chains reach handlers as
	// Request.PeerCertificates. Requests without one are still served
	// (authorisation is the vendor's decision).
	ClientCA string `json:"clientCA,omitempty"`
}

// Defaults fills the defaults.
func (c *Config) Defaults() {
	c.MaxBodyBytes = 4 << 20
	c.ReadTimeout = config.Duration(30e9)
	c.WriteTimeout = config.Duration(30e9)
	c.IdleTimeout = config.Duration(120e9)
	c.HandlerTimeout = config.Duration(60e9)
}

// Validate checks the config without touching the network or files.
func (c *Config) Validate() error {
	var errs config.Errors
	if c.Listen == "" {
		errs = append(errs, config.Field("listen", "required, e.g. \"127.0.0.1:8443\""))
	} else if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, config.Field("listen", "%v; write host:port, e.g. \"127.0.0.1:8443\" or \":8443\"", err))
	}
	if c.MaxBodyBytes <= 0 {
		errs = append(errs, config.Field("maxBodyBytes", "must be positive"))
	}
	for name, d := range map[string]config.Duration{"readTimeout": c.ReadTimeout, "writeTimeout": c.WriteTimeout, "idleTimeout": c.IdleTimeout, "handlerTimeout": c.HandlerTimeout} {
		if d <= 0 {
			errs = append(errs, config.Field(name, "must be positive"))
		}
	}
	if c.MaxConnsPerIP < 0 {
		errs = append(errs, config.Field("maxConnsPerIP", "must not be negative"))
	}
	if t := c.TLS; t != nil {
		if t.Cert == "" {
			errs = append(errs, config.Field("tls.cert", "required: the PEM certificate file"))
		}
		if t.Key == "" {
			errs = append(errs, config.Field("tls.key", "required: the PEM private key file"))
		}
		switch t.MinVersion {
		case "", "1.3", "1.2":
		default:
			errs = append(errs, config.Field("tls.minVersion", "%q is not supported; use \"1.3\" (default) or \"1.2\"", t.MinVersion))
		}
	}
	return errs.Err()
}
