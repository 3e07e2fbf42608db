package mqtt

import (
	"github.com/cadenza-edge/cadenza/coa/config"
)

// Config is the "config" of a bindings.mqtt instance.
type Config struct {
	// Connection is how the binding reaches the broker.
	Connection
	// TopicPrefix roots the binding's topics: requests arrive on
	// <prefix>/req and <prefix>/req/<anything> (default "cadenza").
	TopicPrefix string `json:"topicPrefix,omitempty"`
	// SharedGroup, when set, subscribes as a member of the MQTT 5 shared
	// subscription $share/<group>/<prefix>/req/#, so that several hosts
	// serving the same prefix each get a share of the requests.
	SharedGroup string `json:"sharedGroup,omitempty"`
	// QoS of the request subscription and of replies: 0, 1 (default) or 2.
	QoS int `json:"qos"`
	// Authority is Request.Authority, the authority of the request's
	// mqtt:// target URI (RFC 9421 @authority, @target-uri); default the
	// host[:port] of the first broker URL.
	Authority string `json:"authority,omitempty"`
	// HandlerTimeout cancels a handler's context after this long (default
	// 60s); a request's MQTT 5 message expiry shortens it.
	HandlerTimeout config.Duration `json:"handlerTimeout,omitempty"`
	// MaxMessageBytes limits a request message (the whole envelope; default
	// 8 MiB); larger ones get a 413 reply.
	MaxMessageBytes int `json:"maxMessageBytes,omitempty"`
	// MaxBodyBytes limits a request body once decoded (default 4 MiB, as
	// bindings.http); larger ones get a 413 reply.
	MaxBodyBytes int `json:"maxBodyBytes,omitempty"`
	// MaxInFlight limits the requests handled at once (default 64); beyond
	// it requests get a 503 reply with retry-after.
	MaxInFlight int `json:"maxInFlight,omitempty"`
}

// Defaults fills the defaults.
func (c *Config) Defaults() {
	c.Connection.Defaults()
	c.TopicPrefix = "cadenza"
	c.QoS = 1
	c.HandlerTimeout = config.Duration(60e9)
	c.MaxMessageBytes = 8 << 20
	c.MaxBodyBytes = 4 << 20
	c.MaxInFlight = 64
}

// Validate checks the config without touching the network or files.
func (c *Config) Validate() error {
	errs := c.Connection.validate()
	if err := checkTopicPrefix(c.TopicPrefix); err != nil {
		errs = append(errs, config.Field("topicPrefix", "%v", err))
	}
	if c.SharedGroup != "" {
		if err := checkTopicLevel(c.SharedGroup); err != nil {
			errs = append(errs, config.Field("sharedGroup", "%v", err))
		}
	}
	if c.QoS < 0 || c.QoS > 2 {
		errs = append(errs, config.Field("qos", "must be 0, 1 or 2"))
	}
	if c.HandlerTimeout <= 0 {
		errs = append(errs, config.Field("handlerTimeout", "must be positive"))
	}
	if c.MaxMessageBytes <= 0 || c.MaxMessageBytes > maxPacketBytes/2 {
		errs = append(errs, config.Field("maxMessageBytes", "must be between 1 and %d", maxPacketBytes/2))
	}
	if c.MaxBodyBytes <= 0 {
		errs = append(errs, config.Field("maxBodyBytes", "must be positive"))
	}
	if c.MaxInFlight <= 0 {
		errs = append(errs, config.Field("maxInFlight", "must be positive"))
	}
	return errs.Err()
}
