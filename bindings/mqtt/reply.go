package mqtt

import (
	"context"
	"net/http"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/eclipse/paho.golang/paho"
)

// target is where and how a reply goes.
type target struct {
	topic         string  // reply topic: MQTT 5 response topic, else the envelope's replyTo
	correlation   []byte  // MQTT 5 correlation data, echoed as a property
	correlationID string  // the envelope's correlationId, echoed in the reply envelope
	expiry        *uint32 // the request's remaining message expiry, seconds
	head          bool    // a HEAD request: the reply has no body
}

// targetOf reads the MQTT 5 response topic and correlation data.
func targetOf(msg *paho.Publish) target {
	var t target
	if p := msg.Properties; p != nil {
		t.topic, t.correlation = p.ResponseTopic, p.CorrelationData
		if p.MessageExpiry != nil && *p.MessageExpiry > 0 {
			e := *p.MessageExpiry
			t.expiry = &e
		}
	}
	return t
}

// fill completes t from envelope members: the MQTT 5 response topic wins
// over replyTo; a correlationId is always echoed.
func (t *target) fill(r replyTarget) {
	if t.topic == "" && r.ReplyTo != "" {
		t.topic = r.ReplyTo
	}
	if r.CorrelationID != "" {
		t.correlationID = r.CorrelationID
	}
}

// problem renders err as a problem response for instance.
func problem(err error, instance string) *endpoint.Response {
	status, headers, body := fault.Render(err, instance)
	return &endpoint.Response{Status: status, Metadata: headers, Body: body}
}

// replyEnvelope builds the reply for a response or an error, as
// bindings.http would write it: nil is 204, status 0 is 200, 204 and 304
// carry no body.
func replyEnvelope(resp *endpoint.Response, err error, instance string) *ReplyEnvelope {
	if err != nil {
		resp = problem(err, instance)
	}
	if resp == nil {
		return &ReplyEnvelope{Status: http.StatusNoContent}
	}
	env := &ReplyEnvelope{Status: resp.Status}
	if env.Status == 0 {
		env.Status = http.StatusOK
	}
	if len(resp.Metadata) > 0 {
		env.Metadata = make(map[string]string, len(resp.Metadata))
		for k, v := range resp.Metadata {
			env.Metadata[strings.ToLower(k)] = v
		}
	}
	if env.Status != http.StatusNoContent && env.Status != http.StatusNotModified {
		env.SetPayload(env.Metadata["content-type"], resp.Body)
	}
	return env
}

// reply publishes the reply to t. Without a usable reply topic the reply
// is dropped (logged): the request was one-way or its reply topic is bad.
func (b *Binding) reply(t target, resp *endpoint.Response, err error, instance string) {
	if t.topic == "" {
		b.log.Debug("MQTT request without a reply topic; reply dropped", "status", statusOf(resp, err))
		return
	}
	if terr := b.checkReplyTopic(t.topic); terr != nil {
		b.log.Warn("MQTT reply topic refused; reply dropped", "topic", t.topic, "reason", terr)
		return
	}
	env := replyEnvelope(resp, err, instance)
	env.CorrelationID = t.correlationID
	if t.head {
		env.Body, env.JSON = nil, nil
	}
	payload, merr := env.Encode()
	if merr != nil { // metadata values are strings: cannot happen
		b.log.Error("MQTT reply not encoded", "err", merr)
		return
	}
	pub := &paho.Publish{
		Topic:   t.topic,
		QoS:     byte(b.cfg.QoS),
		Payload: payload,
		Properties: &paho.PublishProperties{
			CorrelationData: t.correlation,
			ContentType:     EnvelopeContentType,
			MessageExpiry:   t.expiry,
		},
	}
	if perr := b.sess.publish(context.Background(), pub); perr != nil {
		b.log.Warn("MQTT reply not published", "topic", t.topic, "status", env.Status, "err", perr)
	}
}

// statusOf is the status a reply would carry, for logs.
func statusOf(resp *endpoint.Response, err error) int {
	switch {
	case err != nil:
		return fault.Status(fault.CodeOf(err))
	case resp == nil:
		return http.StatusNoContent
	case resp.Status == 0:
		return http.StatusOK
	}
	return resp.Status
}
