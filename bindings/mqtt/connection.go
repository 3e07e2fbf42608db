package mqtt

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cadenza-edge/cadenza/coa/config"
)

// Connection is how a binding or a client reaches the broker. Its JSON
// members sit directly in the binding's config.
type Connection struct {
	// Brokers are broker URLs tried in order: mqtt:// or tcp:// (plain,
	// default port 1883), mqtts:// or ssl:// (TLS, default port 8883).
	// Required.
	Brokers []string `json:"brokers"`
	// ClientID is the MQTT client identifier; default "cadenza-<host>-<random>".
	// Required for a persistent session.
	ClientID string `json:"clientId,omitempty"`
	// Username and Password authenticate to the broker; write the password
	// as "${env:NAME}" or "${file:PATH}".
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	// TLS configures mqtts:// and ssl:// brokers (the system roots verify
	// the broker when it is absent).
	TLS *TLSConfig `json:"tls,omitempty"`
	// PersistentSession keeps the broker-side session (subscriptions and
	// queued QoS 1/2 messages) for SessionExpiry after a disconnection
	// instead of starting clean.
	PersistentSession bool            `json:"persistentSession,omitempty"`
	SessionExpiry     config.Duration `json:"sessionExpiry,omitempty"`
	// KeepAlive is the MQTT keep-alive interval (default 30s).
	KeepAlive config.Duration `json:"keepAlive,omitempty"`
	// ConnectTimeout bounds one connection attempt and how long Start waits
	// for the first connection (default 10s).
	ConnectTimeout config.Duration `json:"connectTimeout,omitempty"`
	// ReconnectMin and ReconnectMax bound the randomised exponential backoff
	// between connection attempts (defaults 250ms and 30s).
	ReconnectMin config.Duration `json:"reconnectMin,omitempty"`
	ReconnectMax config.Duration `json:"reconnectMax,omitempty"`
}

// TLSConfig selects how the broker is verified and how the client
// authenticates with a certificate.
type TLSConfig struct {
	// CA is a PEM bundle of the authorities that sign the broker's
	// certificate; the system roots when empty.
	CA string `json:"ca,omitempty"`
	// Cert and Key are the PEM client certificate (chain) and key, for
	// brokers that authenticate clients with certificates.
	Cert string `json:"cert,omitempty"`
	Key  string `json:"key,omitempty"`
	// ServerName overrides the name checked in the broker's certificate
	// (default the broker URL's host).
	ServerName string `json:"serverName,omitempty"`
	// MinVersion is "1.2" (default) or "1.3".
	MinVersion string `json:"minVersion,omitempty"`
}

// Defaults fills the connection defaults.
func (c *Connection) Defaults() {
	c.SessionExpiry = config.Duration(time.Hour)
	c.KeepAlive = config.Duration(30 * time.Second)
	c.ConnectTimeout = config.Duration(10 * time.Second)
	c.ReconnectMin = config.Duration(250 * time.Millisecond)
	c.ReconnectMax = config.Duration(30 * time.Second)
}

// fill sets the defaults of zero fields (for configs built in Go).
func (c *Connection) fill() {
	var d Connection
	d.Defaults()
	for _, f := range []struct{ v, def *config.Duration }{
		{&c.SessionExpiry, &d.SessionExpiry}, {&c.KeepAlive, &d.KeepAlive}, {&c.ConnectTimeout, &d.ConnectTimeout},
		{&c.ReconnectMin, &d.ReconnectMin}, {&c.ReconnectMax, &d.ReconnectMax},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
}

// validate checks the connection members; paths are relative to the config.
func (c *Connection) validate() config.Errors {
	var errs config.Errors
	if len(c.Brokers) == 0 {
		errs = append(errs, config.Field("brokers", "required: at least one broker URL, e.g. [\"mqtt://127.0.0.1:1883\"]"))
	}
	tlsUsed := false
	for i, raw := range c.Brokers {
		u, err := brokerURL(raw)
		if err != nil {
			errs = append(errs, config.Field(fmt.Sprintf("brokers[%d]", i), "%v", err))
			continue
		}
		tlsUsed = tlsUsed || isTLS(u)
	}
	if len(c.ClientID) > 65535 || !utf8.ValidString(c.ClientID) {
		errs = append(errs, config.Field("clientId", "must be valid UTF-8 of at most 65535 bytes"))
	}
	if c.PersistentSession && c.ClientID == "" {
		errs = append(errs, config.Field("clientId", "required with persistentSession: the broker finds the session by client id"))
	}
	if c.PersistentSession && (c.SessionExpiry <= 0 || c.SessionExpiry.D() > 0xFFFFFFFE*time.Second) {
		errs = append(errs, config.Field("sessionExpiry", "must be positive (and under 136 years) with persistentSession"))
	}
	if c.KeepAlive < config.Duration(time.Second) || c.KeepAlive.D() > 65535*time.Second {
		errs = append(errs, config.Field("keepAlive", "must be between 1s and 18h12m15s"))
	}
	if c.ConnectTimeout <= 0 {
		errs = append(errs, config.Field("connectTimeout", "must be positive"))
	}
	if c.ReconnectMin < config.Duration(time.Millisecond) {
		errs = append(errs, config.Field("reconnectMin", "must be at least 1ms"))
	} else if c.ReconnectMax <= c.ReconnectMin {
		errs = append(errs, config.Field("reconnectMax", "must be longer than reconnectMin (%s)", c.ReconnectMin))
	}
	if t := c.TLS; t != nil {
		if !tlsUsed && len(c.Brokers) > 0 {
			errs = append(errs, config.Field("tls", "no broker URL uses TLS; write mqtts://host:8883 or remove tls"))
		}
		if (t.Cert == "") != (t.Key == "") {
			errs = append(errs, config.Field("tls", "cert and key go together: set both for certificate authentication, or neither"))
		}
		switch t.MinVersion {
		case "", "1.2", "1.3":
		default:
			errs = append(errs, config.Field("tls.minVersion", "%q is not supported; use \"1.2\" (default) or \"1.3\"", t.MinVersion))
		}
	}
	return errs
}

// brokerURL parses and checks a broker URL and fills in the default port.
func brokerURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("not a URL: %v; write e.g. mqtt://127.0.0.1:1883", err)
	}
	port := ""
	switch strings.ToLower(u.Scheme) {
	case "mqtt", "tcp":
		port = "1883"
	case "mqtts", "ssl":
		port = "8883"
	default:
		return nil, fmt.Errorf("scheme %q is not supported; use mqtt:// or tcp:// (plain) or mqtts:// or ssl:// (TLS)", u.Scheme)
	}
	if u.User != nil {
		return nil, fmt.Errorf("credentials do not belong in the URL; use \"username\" and \"password\" (with ${env:NAME})")
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%q has no host; write e.g. mqtt://127.0.0.1:1883", raw)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q has a path or query; a broker URL is scheme://host[:port]", raw)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), port)
	}
	u.Path = ""
	return u, nil
}

// isTLS reports whether u names a TLS broker.
func isTLS(u *url.URL) bool {
	s := strings.ToLower(u.Scheme)
	return s == "mqtts" || s == "ssl"
}

// brokerURLs parses every broker URL (already validated).
func (c *Connection) brokerURLs() ([]*url.URL, error) {
	out := make([]*url.URL, 0, len(c.Brokers))
	for _, raw := range c.Brokers {
		u, err := brokerURL(raw)
		if err != nil {
			return nil, fmt.Errorf("broker %q: %w", raw, err)
		}
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no broker URL; set \"brokers\"")
	}
	return out, nil
}
