package mqtt

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/eclipse/paho.golang/paho"
)

// receive is paho's callback for every message. It runs on the client's
// one delivery goroutine, so it only admits the message and hands it to a
// goroutine of its own; it never publishes (that would wait on an
// acknowledgement this goroutine has to let through).
func (b *Binding) receive(pr paho.PublishReceived) (bool, error) {
	msg := pr.Packet
	if !isRequestTopic(b.cfg.TopicPrefix, msg.Topic) {
		return false, nil
	}
	if b.closing.Load() {
		b.reject(msg, &fault.Error{Code: fault.Unavailable, Detail: "the server is shutting down", RetryAfter: 1})
		return true, nil
	}
	select {
	case b.slots <- struct{}{}:
		go b.serve(msg)
	default:
		b.reject(msg, &fault.Error{Code: fault.Unavailable, Detail: fmt.Sprintf("the server is handling %d requests; retry later", cap(b.slots)), RetryAfter: 1})
	}
	return true, nil
}

// reject answers msg with err from a goroutine of its own, when one of the
// reject slots is free; otherwise the message is dropped (the client times out).
func (b *Binding) reject(msg *paho.Publish, err error) {
	select {
	case b.rejects <- struct{}{}:
	default:
		b.log.Debug("MQTT request dropped: overloaded", "topic", msg.Topic)
		return
	}
	go func() {
		defer func() { <-b.rejects }()
		defer b.recoverPanic(msg)
		t := targetOf(msg)
		t.fill(readReplyTarget(msg.Payload))
		b.reply(t, nil, err, "")
	}()
}

// serve handles one admitted message and replies.
func (b *Binding) serve(msg *paho.Publish) {
	defer func() { <-b.slots }()
	defer b.recoverPanic(msg)
	t := targetOf(msg)
	resp, instance, err := b.guardedHandle(msg, &t)
	b.reply(t, resp, err, instance)
}

// guardedHandle is handle turning a panic (of an endpoint not wrapped by
// the host's middleware, or of the binding) into a 500 reply.
func (b *Binding) guardedHandle(msg *paho.Publish, t *target) (resp *endpoint.Response, instance string, err error) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic while serving an MQTT request", "topic", msg.Topic, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp, err = nil, fault.New(fault.Internal, "the server failed to handle the request; see its log")
		}
	}()
	return b.handle(msg, t)
}

// recoverPanic guards the binding's goroutines: a panic outside a handler
// (the host's middleware recovers those) is logged; the binding keeps serving.
func (b *Binding) recoverPanic(msg *paho.Publish) {
	if p := recover(); p != nil {
		b.log.Error("panic while serving an MQTT request", "topic", msg.Topic, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	}
}

// handle decodes, routes and calls the endpoint. It completes t from the
// envelope and returns the instance (the path) for problem documents.
func (b *Binding) handle(msg *paho.Publish, t *target) (*endpoint.Response, string, error) {
	if len(msg.Payload) > b.cfg.MaxMessageBytes {
		t.fill(readReplyTarget(msg.Payload))
		return nil, "", fault.New(fault.TooLarge, "the request message exceeds the server's limit of %d bytes", b.cfg.MaxMessageBytes)
	}
	env, err := DecodeRequest(msg.Payload)
	if err != nil {
		t.fill(readReplyTarget(msg.Payload))
		return nil, "", fault.New(fault.BadRequest, "%v", err)
	}
	t.fill(replyTarget{ReplyTo: env.ReplyTo, CorrelationID: env.CorrelationID})
	t.head = env.Method == http.MethodHead
	path, rawQuery, err := splitTarget(env)
	if err != nil {
		return nil, "", err
	}
	instance := unescape(path)
	m, ok := b.router.lookup(env.Method, path)
	if !ok {
		if allow := b.router.allowed(env.Method, path); len(allow) > 0 {
			resp := problem(fault.New(fault.MethodNotAllowed, "this path does not accept the method"), instance)
			resp.Metadata["allow"] = strings.Join(allow, ", ")
			return resp, instance, nil
		}
		return nil, instance, fault.New(fault.NotFound, "no endpoint serves this path")
	}
	body := env.Payload()
	if len(body) > b.cfg.MaxBodyBytes {
		return nil, instance, fault.New(fault.TooLarge, "the request body exceeds the server's limit")
	}
	if m.ep.MaxBody > 0 && len(body) > m.ep.MaxBody {
		return nil, instance, fault.New(fault.TooLarge, "the request body exceeds %d bytes", m.ep.MaxBody)
	}
	req := &endpoint.Request{
		Method:    env.Method,
		Route:     m.ep.Route,
		Params:    m.params,
		Metadata:  metadataOf(env, msg),
		Body:      body,
		Scheme:    "mqtt",
		Authority: b.authority,
		Path:      path,
		RawQuery:  rawQuery,
		Remote:    msg.Topic,
		Binding:   ID,
	}
	if rawQuery != "" {
		req.Query, _ = url.ParseQuery(rawQuery) // like HTTP servers, keep what parses
	}
	ctx, cancel := context.WithTimeout(b.base, b.handlerTimeout(msg))
	defer cancel()
	resp, err := m.ep.Handler(ctx, req)
	return resp, instance, err
}

// splitTarget returns the escaped path and raw query of the envelope,
// checking both.
func splitTarget(env *RequestEnvelope) (path, rawQuery string, err error) {
	if env.Method == "" || !isToken(env.Method) {
		return "", "", fault.New(fault.BadRequest, "the envelope's \"method\" must be an HTTP method such as GET or POST")
	}
	path, rawQuery, hasQuery := strings.Cut(env.Path, "?")
	if hasQuery && env.Query != "" {
		return "", "", fault.New(fault.BadRequest, "the query is given twice: in \"path\" after ? and in \"query\"")
	}
	if !hasQuery {
		rawQuery = env.Query
	}
	if !strings.HasPrefix(path, "/") {
		return "", "", fault.New(fault.BadRequest, "the envelope's \"path\" must be an absolute path such as /api/v1/clients")
	}
	for _, c := range []byte(env.Path + rawQuery) {
		if c <= ' ' || c == 0x7f || c == '#' {
			return "", "", fault.New(fault.BadRequest, "the path or query holds a space, control character or #; percent-encode it")
		}
	}
	return path, rawQuery, nil
}

// isToken reports whether s is an RFC 9110 token (a method name).
func isToken(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}

// metadataOf merges the envelope's metadata with the message's MQTT 5 user
// properties (the envelope wins); keys are lower-case.
func metadataOf(env *RequestEnvelope, msg *paho.Publish) endpoint.Metadata {
	md := make(endpoint.Metadata, len(env.Metadata)+2)
	if msg.Properties != nil {
		for _, u := range msg.Properties.User {
			k := strings.ToLower(u.Key)
			if prev, ok := md[k]; ok {
				md[k] = prev + ", " + u.Value
			} else {
				md[k] = u.Value
			}
		}
	}
	for k, v := range env.Metadata {
		md[strings.ToLower(k)] = v
	}
	return md
}

// handlerTimeout is handlerTimeout, shortened by the message expiry the
// client set (the time left until it stops waiting).
func (b *Binding) handlerTimeout(msg *paho.Publish) time.Duration {
	d := b.cfg.HandlerTimeout.D()
	if p := msg.Properties; p != nil && p.MessageExpiry != nil && *p.MessageExpiry > 0 {
		d = min(d, time.Duration(*p.MessageExpiry)*time.Second)
	}
	return d
}
