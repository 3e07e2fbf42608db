package mqtt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// ClientConfig configures a Client. Zero durations take the defaults of
// Connection; a zero QoS is QoS 0.
type ClientConfig struct {
	Connection
	// TopicPrefix is the binding's topic prefix (default "cadenza").
	TopicPrefix string `json:"topicPrefix,omitempty"`
	// Subtopic, when set, publishes requests on <prefix>/req/<subtopic>
	// (e.g. the client's id, for broker ACLs) instead of <prefix>/req.
	Subtopic string `json:"subtopic,omitempty"`
	// QoS of requests and of the reply subscription: 0, 1 or 2.
	QoS int `json:"qos"`
	// RequestTimeout bounds a Do whose context has no deadline (default 30s).
	RequestTimeout config.Duration `json:"requestTimeout,omitempty"`
	// ReplyTopic receives the replies (default <prefix>/reply/<clientId>).
	ReplyTopic string `json:"replyTopic,omitempty"`
	// EnvelopeReply names the reply topic and the correlation in the
	// envelope (replyTo, correlationId) instead of the MQTT 5 response
	// topic and correlation data, as an MQTT 3.1.1 client has to.
	EnvelopeReply bool `json:"envelopeReply,omitempty"`
	// Logger receives the client's log records (none when nil).
	Logger *slog.Logger `json:"-"`
}

// Client sends requests to a bindings.mqtt and waits for their replies,
// matched by correlation; it is safe for concurrent use and reconnects
// when the connection drops.
type Client struct {
	cfg        ClientConfig
	log        *slog.Logger
	sess       *session
	reqTopic   string
	replyTopic string
	idPrefix   string
	seq        atomic.Uint64
	closed     atomic.Bool

	mu      sync.Mutex
	pending map[string]chan []byte // correlation -> reply payload
}

// NewClient connects to the broker and subscribes to the reply topic,
// waiting at most connectTimeout (and within ctx).
func NewClient(ctx context.Context, cfg ClientConfig) (*Client, error) {
	cfg.fill()
	if cfg.TopicPrefix == "" {
		cfg.TopicPrefix = "cadenza"
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = config.Duration(30 * time.Second)
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	if cfg.ClientID == "" {
		cfg.ClientID = "cadenza-client-" + hex.EncodeToString(rnd[:4])
	}
	if cfg.ReplyTopic == "" {
		cfg.ReplyTopic = cfg.TopicPrefix + "/" + replyLevel + "/" + cfg.ClientID
	}
	c := &Client{cfg: cfg, log: cfg.Logger, reqTopic: RequestTopic(cfg.TopicPrefix), replyTopic: cfg.ReplyTopic,
		idPrefix: hex.EncodeToString(rnd[:]) + "-", pending: map[string]chan []byte{}}
	if cfg.Subtopic != "" {
		c.reqTopic += "/" + cfg.Subtopic
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	s, err := newSession(&cfg.Connection, sessionOptions{
		clientID:  cfg.ClientID,
		sub:       paho.SubscribeOptions{Topic: c.replyTopic, QoS: byte(cfg.QoS)},
		onPublish: c.receive,
		log:       c.log,
	})
	if err != nil {
		return nil, err
	}
	c.sess = s
	if err := s.start(ctx); err != nil {
		_ = s.close(context.Background())
		return nil, err
	}
	return c, nil
}

// check validates a client config.
func (cfg *ClientConfig) check() error {
	errs := cfg.Connection.validate()
	if err := checkTopicPrefix(cfg.TopicPrefix); err != nil {
		errs = append(errs, config.Field("topicPrefix", "%v", err))
	}
	if err := checkTopicName(cfg.ReplyTopic); err != nil || isRequestTopic(cfg.TopicPrefix, cfg.ReplyTopic) {
		errs = append(errs, config.Field("replyTopic", "must be a topic without wildcards outside %s", RequestTopic(cfg.TopicPrefix)))
	}
	if cfg.QoS < 0 || cfg.QoS > 2 {
		errs = append(errs, config.Field("qos", "must be 0, 1 or 2"))
	}
	return errs.Err()
}

// ReplyTopic is the topic the client receives replies on.
func (c *Client) ReplyTopic() string { return c.replyTopic }

// RequestTopic is the topic the client publishes requests to.
func (c *Client) RequestTopic() string { return c.reqTopic }

// receive routes a reply to the Do waiting for it; late and unknown
// replies are dropped.
func (c *Client) receive(pr paho.PublishReceived) (bool, error) {
	msg := pr.Packet
	if msg.Topic != c.replyTopic {
		return false, nil
	}
	var id string
	if p := msg.Properties; p != nil && len(p.CorrelationData) > 0 {
		id = string(p.CorrelationData)
	} else {
		id = readReplyTarget(msg.Payload).CorrelationID
	}
	c.mu.Lock()
	ch := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if ch == nil {
		c.log.Debug("MQTT reply without a waiting request dropped", "correlation", id)
		return true, nil
	}
	ch <- msg.Payload // buffered, one reply per request
	return true, nil
}

// Do sends one request (target is the escaped path, optionally with
// "?query") and returns the reply's status, metadata and body. Without a
// deadline on ctx the request times out after RequestTimeout. A request
// not answered in time fails with a fault.Timeout error (errors.Is
// context.DeadlineExceeded); it may still have been handled.
func (c *Client) Do(ctx context.Context, method, target string, md endpoint.Metadata, body []byte) (*endpoint.Response, error) {
	if c.closed.Load() {
		return nil, fault.New(fault.Unavailable, "the MQTT client is closed")
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.RequestTimeout.D())
		defer cancel()
	}
	id := c.idPrefix + strconv.FormatUint(c.seq.Add(1), 36)
	env := RequestEnvelope{Method: method, Path: target}
	if len(md) > 0 {
		env.Metadata = make(map[string]string, len(md))
		for k, v := range md {
			env.Metadata[strings.ToLower(k)] = v
		}
	}
	env.SetPayload(env.Metadata["content-type"], body)
	props := &paho.PublishProperties{ContentType: EnvelopeContentType}
	if c.cfg.EnvelopeReply {
		env.ReplyTo, env.CorrelationID = c.replyTopic, id
	} else {
		props.ResponseTopic, props.CorrelationData = c.replyTopic, []byte(id)
	}
	payload, err := env.Encode()
	if err != nil {
		return nil, fault.Wrap(err, fault.BadRequest, "encode the request envelope")
	}
	ch := make(chan []byte, 1)
	c.mu.Lock()
	c.pending[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()
	if err := c.publish(ctx, &paho.Publish{Topic: c.reqTopic, QoS: byte(c.cfg.QoS), Payload: payload, Properties: props}); err != nil {
		return nil, c.failed(ctx, method, target, err)
	}
	select {
	case raw := <-ch:
		rep, err := DecodeReply(raw)
		if err != nil {
			return nil, fault.Wrap(err, fault.Internal, "the reply to %s %s is not a reply envelope", method, target)
		}
		md := endpoint.Metadata(rep.Metadata)
		if md == nil {
			md = endpoint.Metadata{}
		}
		return &endpoint.Response{Status: rep.Status, Metadata: md, Body: rep.Payload()}, nil
	case <-ctx.Done():
		return nil, c.failed(ctx, method, target, ctx.Err())
	}
}

// publish sends the request once the session is ready, waiting through
// reconnections until ctx ends. A publish that may have reached the broker
// is not repeated: its reply is awaited.
func (c *Client) publish(ctx context.Context, p *paho.Publish) error {
	for {
		if err := c.sess.ready.wait(ctx); err != nil {
			return err
		}
		if dl, ok := ctx.Deadline(); ok {
			// The broker discards a request nobody will wait for any more,
			// and the binding shortens its handler's deadline to match.
			secs := uint32(max(1, (time.Until(dl)+time.Second-1)/time.Second))
			p.Properties.MessageExpiry = &secs
		}
		cm := c.sess.manager()
		_, err := cm.Publish(ctx, p)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, autopaho.ConnectionDownError):
			// Not sent: the connection dropped before our down callback ran.
			select {
			case <-time.After(10 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		case errors.Is(err, paho.ErrInvalidArguments):
			return fault.Wrap(err, fault.BadRequest, "the broker refuses the request")
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			c.log.Debug("MQTT request publish not acknowledged; awaiting the reply", "err", err)
			return nil
		}
	}
}

// failed turns a context or publish error into the error Do returns.
func (c *Client) failed(ctx context.Context, method, target string, err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err
	}
	if ctx.Err() != nil {
		code := fault.CodeOf(ctx.Err())
		if !c.sess.ready.isUp() {
			cause := "not connected"
			if err := c.sess.err(); err != nil {
				cause = err.Error()
			}
			return fault.Wrap(ctx.Err(), code, "no reply to %s %s: no connection to the MQTT broker at %s in time (%s)", method, target, c.sess.brokers(), cause)
		}
		return fault.Wrap(ctx.Err(), code, "no reply to %s %s from the MQTT broker at %s (topic %s; is a bindings.mqtt serving it?)", method, target, c.sess.brokers(), c.reqTopic)
	}
	return fault.Wrap(err, fault.Unavailable, "%s %s over MQTT", method, target)
}

// Close disconnects within ctx; requests in flight fail.
func (c *Client) Close(ctx context.Context) error {
	if c.closed.Swap(true) {
		return nil
	}
	return c.sess.close(ctx)
}

// String names the client for logs.
func (c *Client) String() string {
	return fmt.Sprintf("mqtt client %s -> %s", c.cfg.ClientID, c.reqTopic)
}
