package mqtt

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// session is one MQTT connection kept up by autopaho (reconnecting with
// backoff), with one subscription renewed on every connection. It is
// "ready" while connected and subscribed.
type session struct {
	cfg   autopaho.ClientConfig
	cm    *autopaho.ConnectionManager
	ready *gate
	log   *slog.Logger
	urls  []*url.URL
	sub   paho.SubscribeOptions
	wait  time.Duration // per subscribe, unsubscribe and publish

	mu      sync.Mutex
	gen     uint64 // connection generation: stale subscribe results are ignored
	closed  bool   // close has begun: no more subscribing
	lastErr error  // the last connection or subscription failure
}

// subscribeError is a refused subscription (the connection itself works).
type subscribeError struct {
	topic string
	err   error
}

func (e *subscribeError) Error() string {
	return fmt.Sprintf("cannot subscribe to %s: %v (does the broker's ACL allow it?)", e.topic, e.err)
}

func (e *subscribeError) Unwrap() error { return e.err }

// sessionOptions are what differs between the binding and the client.
type sessionOptions struct {
	clientID  string
	sub       paho.SubscribeOptions
	onPublish func(paho.PublishReceived) (bool, error)
	maxPacket uint32 // the largest packet the broker may send us; 0: no limit
	log       *slog.Logger
}

// newSession prepares a session; start connects.
func newSession(c *Connection, o sessionOptions) (*session, error) {
	urls, err := c.brokerURLs()
	if err != nil {
		return nil, err
	}
	var tc *tls.Config
	for _, u := range urls {
		if isTLS(u) {
			if tc, err = clientTLS(c.TLS); err != nil {
				return nil, err
			}
			break
		}
	}
	s := &session{ready: newGate(), log: o.log, urls: urls, sub: o.sub, wait: c.ConnectTimeout.D()}
	minB, maxB := c.ReconnectMin.D(), c.ReconnectMax.D()
	s.cfg = autopaho.ClientConfig{
		ServerUrls:                    urls,
		TlsCfg:                        tc,
		KeepAlive:                     uint16((c.KeepAlive.D() + time.Second - 1) / time.Second),
		CleanStartOnInitialConnection: !c.PersistentSession,
		ReconnectBackoff:              autopaho.NewExponentialBackoff(minB, maxB, min(2*minB, maxB), 2),
		ConnectTimeout:                c.ConnectTimeout.D(),
		ConnectUsername:               c.Username,
		ConnectPassword:               []byte(c.Password),
		OnConnectionUp:                s.up,
		OnConnectionDown:              s.down,
		OnConnectError:                s.connectError,
		Errors:                        pahoLogger{o.log, slog.LevelWarn},
		PahoErrors:                    pahoLogger{o.log, slog.LevelDebug},
		ClientConfig: paho.ClientConfig{
			ClientID:          o.clientID,
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){o.onPublish},
			PacketTimeout:     c.ConnectTimeout.D(),
		},
	}
	if c.PersistentSession {
		s.cfg.SessionExpiryInterval = uint32(c.SessionExpiry.D() / time.Second)
	}
	if o.log.Enabled(context.Background(), slog.LevelDebug) {
		s.cfg.Debug, s.cfg.PahoDebug = pahoLogger{o.log, slog.LevelDebug}, pahoLogger{o.log, slog.LevelDebug}
	}
	if o.maxPacket > 0 {
		limit := o.maxPacket
		s.cfg.ConnectPacketBuilder = func(cp *paho.Connect, _ *url.URL) (*paho.Connect, error) {
			if cp.Properties == nil {
				cp.Properties = &paho.ConnectProperties{}
			}
			cp.Properties.MaximumPacketSize = &limit
			return cp, nil
		}
	}
	return s, nil
}

// start begins connecting in the background and waits until the session
// is ready, within ctx and the connect timeout. The connection lives until
// close, not until ctx ends.
func (s *session) start(ctx context.Context) error {
	cm, err := autopaho.NewConnection(context.Background(), s.cfg)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.cm = cm
	s.mu.Unlock()
	return s.await(ctx)
}

// up subscribes on the new connection, in a goroutine: autopaho's callback must not block.
func (s *session) up(cm *autopaho.ConnectionManager, _ *paho.Connack) {
	s.mu.Lock()
	s.gen++
	gen, closed := s.gen, s.closed
	s.mu.Unlock()
	if closed {
		return
	}
	go func() {
		defer s.recoverPanic("subscribe")
		ctx, cancel := context.WithTimeout(context.Background(), s.wait)
		defer cancel()
		_, err := cm.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{s.sub}})
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.gen != gen || s.closed {
			return // the connection this was for has gone
		}
		if err != nil {
			s.lastErr = &subscribeError{topic: s.sub.Topic, err: err}
			s.log.Error("MQTT subscribe failed", "topic", s.sub.Topic, "err", err)
			return
		}
		s.lastErr = nil
		s.ready.up()
		s.log.Info("connected to the MQTT broker", "subscribed", s.sub.Topic)
	}()
}

// down notes a lost connection; autopaho reconnects.
func (s *session) down() bool {
	s.invalidate()
	s.log.Warn("lost the connection to the MQTT broker; reconnecting")
	return true
}

// invalidate marks the session not ready and ignores pending subscribe results.
func (s *session) invalidate() {
	s.mu.Lock()
	s.gen++
	s.ready.down()
	s.mu.Unlock()
}

func (s *session) connectError(err error) {
	s.setErr(err)
	s.log.Warn("cannot connect to the MQTT broker", "err", err)
}

func (s *session) setErr(err error) {
	s.mu.Lock()
	s.lastErr = err
	s.mu.Unlock()
}

// err is the last connection or subscription failure.
func (s *session) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

// brokers names the broker URLs for messages.
func (s *session) brokers() string {
	parts := make([]string, len(s.urls))
	for i, u := range s.urls {
		parts[i] = u.String()
	}
	return strings.Join(parts, ", ")
}

// await waits until the session is ready, for at most the connect timeout
// and within ctx, and explains a failure.
func (s *session) await(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.wait)
	defer cancel()
	if err := s.ready.wait(ctx); err != nil {
		cause := s.err()
		if cause == nil {
			cause = fmt.Errorf("no connection within %s", s.wait)
		}
		var se *subscribeError
		if errors.As(cause, &se) {
			return fmt.Errorf("MQTT broker at %s: %w", s.brokers(), cause)
		}
		return fmt.Errorf("cannot reach MQTT broker at %s: %v; is it running? (check \"brokers\", credentials and TLS)", s.brokers(), cause)
	}
	return nil
}

// publish publishes within the session's wait.
func (s *session) publish(ctx context.Context, p *paho.Publish) error {
	ctx, cancel := context.WithTimeout(ctx, s.wait)
	defer cancel()
	cm := s.manager()
	if cm == nil {
		return autopaho.ConnectionDownError
	}
	_, err := cm.Publish(ctx, p)
	return err
}

// manager is the connection manager once start has created it.
func (s *session) manager() *autopaho.ConnectionManager {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cm
}

// unsubscribe removes the subscription when connected.
func (s *session) unsubscribe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.wait)
	defer cancel()
	cm := s.manager()
	if cm == nil {
		return nil
	}
	_, err := cm.Unsubscribe(ctx, &paho.Unsubscribe{Topics: []string{s.sub.Topic}})
	if errors.Is(err, autopaho.ConnectionDownError) {
		return nil
	}
	return err
}

// close disconnects (sending DISCONNECT when connected) within ctx.
func (s *session) close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.invalidate()
	cm := s.manager()
	if cm == nil {
		return nil
	}
	if err := cm.Disconnect(ctx); err != nil {
		return fmt.Errorf("disconnect from the MQTT broker: %w", err)
	}
	return nil
}

// recoverPanic guards the session's own goroutines.
func (s *session) recoverPanic(what string) {
	if p := recover(); p != nil {
		s.log.Error("panic in the MQTT session", "in", what, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	}
}

// pahoLogger sends paho's log lines to slog.
type pahoLogger struct {
	l     *slog.Logger
	level slog.Level
}

func (p pahoLogger) Println(v ...any) {
	p.l.Log(context.Background(), p.level, strings.TrimSpace(fmt.Sprintln(v...)), "source", "paho")
}

func (p pahoLogger) Printf(format string, v ...any) {
	p.l.Log(context.Background(), p.level, strings.TrimSpace(fmt.Sprintf(format, v...)), "source", "paho")
}
