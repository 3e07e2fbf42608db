// Package mqtt is bindings.mqtt: it serves every endpoint of the host to
// requests that arrive on MQTT topics, with eclipse/paho.golang (MQTT 5,
// autopaho reconnection). A request is a JSON envelope (method, path, query,
// metadata, body) published on <prefix>/req or a subtopic; the reply, with
// the status, metadata and body an HTTP client would get (problem+json
// errors included), goes to the request's MQTT 5 response topic with its
// correlation data, or to the envelope's replyTo with its correlationId.
// Handlers never see paho types. The protocol is specified in docs/mqtt.md;
// Client is the matching client.
package mqtt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/eclipse/paho.golang/paho"
)

// ID is the module id.
const ID = "bindings.mqtt"

func init() {
	module.Register(module.Registration{ID: ID, New: func() module.Module { return &Binding{} },
		Summary: "Serves the host's endpoints to request/reply messages over MQTT 5 (paho, envelope protocol)"})
}

// Binding is one MQTT connection serving the host's endpoints.
type Binding struct {
	cfg       Config
	log       *slog.Logger
	router    *router
	clientID  string
	authority string
	sess      *session
	// base is the parent of every handler context; cancelled when Close
	// runs out of time.
	base   context.Context
	cancel context.CancelFunc
	// slots bounds the requests in flight; rejects bounds the goroutines
	// answering requests turned away. Close takes every slot of both.
	slots   chan struct{}
	rejects chan struct{}
	closing atomic.Bool // requests are turned away
	closed  atomic.Bool // Close has run (or Start failed)
}

// ConfigTarget implements module.Configurable.
func (b *Binding) ConfigTarget() any { return &b.cfg }

// Init builds the router from the endpoints and settles the client id and
// authority; it does not touch the network.
func (b *Binding) Init(_ context.Context, env *module.Env) error {
	b.log = env.Logger
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	r, err := routerFor(env.Endpoints)
	if err != nil {
		return err
	}
	b.router = r
	urls, err := b.cfg.brokerURLs()
	if err != nil {
		return err
	}
	if b.cfg.TLS != nil {
		if _, err := clientTLS(b.cfg.TLS); err != nil {
			return err
		}
	}
	b.authority = b.cfg.Authority
	if b.authority == "" {
		b.authority = urls[0].Host
	}
	b.clientID = b.cfg.ClientID
	if b.clientID == "" {
		b.clientID = generatedClientID(env.Host)
	}
	b.base, b.cancel = context.WithCancel(context.Background())
	b.slots = make(chan struct{}, b.cfg.MaxInFlight)
	b.rejects = make(chan struct{}, b.cfg.MaxInFlight)
	return nil
}

// generatedClientID is "cadenza-<host>-<random>": unique per process so that
// two hosts never take over each other's connection.
func generatedClientID(host string) string {
	var r [4]byte
	_, _ = rand.Read(r[:])
	host = strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' {
			return c
		}
		return '-'
	}, host)
	if host == "" {
		host = "host"
	}
	return "cadenza-" + host + "-" + hex.EncodeToString(r[:])
}

// Start connects and subscribes to the request topic. A broker that cannot
// be reached within connectTimeout fails Start; after a successful start the
// binding reconnects in the background whenever the connection drops.
func (b *Binding) Start(ctx context.Context) error {
	if b.router == nil {
		return errors.New("bindings.mqtt: Start before Init")
	}
	sub := paho.SubscribeOptions{Topic: requestFilter(b.cfg.TopicPrefix, b.cfg.SharedGroup), QoS: byte(b.cfg.QoS)}
	// NoLocal is a protocol error on shared subscriptions.
	sub.NoLocal = b.cfg.SharedGroup == ""
	s, err := newSession(&b.cfg.Connection, sessionOptions{
		clientID:  b.clientID,
		sub:       sub,
		onPublish: b.receive,
		maxPacket: packetLimit(b.cfg.MaxMessageBytes),
		log:       b.log,
	})
	if err != nil {
		return err
	}
	b.sess = s
	if err := s.start(ctx); err != nil {
		b.closed.Store(true)
		b.closing.Store(true)
		_ = s.close(context.Background())
		return err
	}
	b.log.Info("serving", "broker", s.brokers(), "requests", RequestTopic(b.cfg.TopicPrefix), "clientId", b.clientID)
	return nil
}

// packetLimit is the largest packet the broker may deliver: twice the
// message limit plus room for properties, so that a message somewhat over
// the limit still arrives and gets its 413 reply; the broker drops larger
// ones without a reply.
func packetLimit(maxMessage int) uint32 {
	return uint32(min(2*maxMessage+64<<10, maxPacketBytes))
}

// Close stops taking requests (they get 503 replies), unsubscribes, waits
// for the requests in flight within ctx (cancelling their handlers when
// ctx ends), and disconnects.
func (b *Binding) Close(ctx context.Context) error {
	if b.sess == nil || b.closed.Swap(true) {
		if b.cancel != nil {
			b.cancel()
		}
		return nil
	}
	b.closing.Store(true)
	defer b.cancel()
	var errs []error
	if err := b.sess.unsubscribe(ctx); err != nil {
		b.log.Debug("MQTT unsubscribe failed", "err", err)
	}
	if err := drain(ctx, b.slots); err != nil {
		b.cancel() // the grace period is over: cancel the handlers still running
		errs = append(errs, fmt.Errorf("requests still in flight at the end of the grace period were cancelled: %w", err))
	}
	errs = append(errs, b.sess.close(ctx))
	_ = drain(ctx, b.rejects)
	return errors.Join(errs...)
}

// drain takes every slot of sem, waiting for their holders within ctx.
func drain(ctx context.Context, sem chan struct{}) error {
	for range cap(sem) {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Health reports whether the binding is connected and subscribed.
func (b *Binding) Health(context.Context) error {
	if b.sess == nil {
		return errors.New("not started")
	}
	if b.closing.Load() {
		return errors.New("closing")
	}
	if !b.sess.ready.isUp() {
		if err := b.sess.err(); err != nil {
			return fmt.Errorf("not connected to the MQTT broker at %s (reconnecting): %v", b.sess.brokers(), err)
		}
		return fmt.Errorf("not connected to the MQTT broker at %s (reconnecting)", b.sess.brokers())
	}
	return nil
}

// ClientID is the MQTT client identifier in use (generated when not configured).
func (b *Binding) ClientID() string { return b.clientID }
