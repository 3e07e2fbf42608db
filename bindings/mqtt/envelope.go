package mqtt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// EnvelopeContentType is the MQTT 5 content type of request and reply
// envelopes.
const EnvelopeContentType = "application/json"

// RequestEnvelope is the JSON payload of a request message (see
// docs/mqtt.md). The body travels either verbatim as a JSON value ("json",
// when it is a JSON document) or base64-encoded ("body"), never both.
type RequestEnvelope struct {
	Method   string            `json:"method"`
	Path     string            `json:"path"`            // escaped path, may carry "?query"
	Query    string            `json:"query,omitempty"` // raw query without "?"
	Metadata map[string]string `json:"metadata,omitempty"`
	bodyFields
	// ReplyTo and CorrelationID name the reply topic and the correlation
	// for clients that cannot set the MQTT 5 response topic and
	// correlation data properties (MQTT 3.1.1).
	ReplyTo       string `json:"replyTo,omitempty"`
	CorrelationID string `json:"correlationId,omitempty"`
}

// ReplyEnvelope is the JSON payload of a reply message.
type ReplyEnvelope struct {
	Status   int               `json:"status"`
	Metadata map[string]string `json:"metadata,omitempty"`
	bodyFields
	CorrelationID string `json:"correlationId,omitempty"`
}

// bodyFields carry an envelope's body, in one of two forms, never both.
type bodyFields struct {
	Body []byte          `json:"body,omitempty"` // standard base64 with padding
	JSON json.RawMessage `json:"json,omitempty"` // the body, verbatim
}

// Payload returns the decoded body.
func (b *bodyFields) Payload() []byte {
	if b.JSON != nil {
		return b.JSON
	}
	return b.Body
}

// SetPayload stores body in the form its content type allows.
func (b *bodyFields) SetPayload(contentType string, body []byte) {
	b.Body, b.JSON = bodyForms(contentType, body)
}

// encode marshals outer, the envelope holding b, with the "json" body
// spliced in verbatim; it clears b.JSON, so outer must be a copy.
func (b *bodyFields) encode(outer any) ([]byte, error) {
	raw := b.JSON
	b.JSON = nil
	head, err := json.Marshal(outer)
	if err != nil {
		return nil, err
	}
	return spliceJSON(head, raw), nil
}

// replyTarget is the part of a request envelope needed to answer it; it is
// read on its own from messages that cannot be decoded in full.
type replyTarget struct {
	ReplyTo       string `json:"replyTo"`
	CorrelationID string `json:"correlationId"`
}

// errBothBodies rejects an envelope carrying the body twice.
var errBothBodies = errors.New(`"body" and "json" are exclusive: send the body once`)

// DecodeRequest strictly decodes a request envelope: unknown members and
// data after the document are rejected.
func DecodeRequest(payload []byte) (*RequestEnvelope, error) {
	var env RequestEnvelope
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("malformed request envelope: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return nil, errors.New("malformed request envelope: data after the document")
	}
	if env.Body != nil && env.JSON != nil {
		return nil, errBothBodies
	}
	return &env, nil
}

// Encode returns the envelope's JSON with the body verbatim.
func (e *RequestEnvelope) Encode() ([]byte, error) {
	c := *e
	return c.encode(&c)
}

// DecodeReply decodes a reply envelope leniently (unknown members are
// ignored, so that servers can add members).
func DecodeReply(payload []byte) (*ReplyEnvelope, error) {
	var env ReplyEnvelope
	if err := json.Unmarshal(payload, &env); err != nil {
		return nil, fmt.Errorf("malformed reply envelope: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if env.Body != nil && env.JSON != nil {
		return nil, errBothBodies
	}
	if env.Status < 100 || env.Status > 999 {
		return nil, fmt.Errorf("malformed reply envelope: status %d", env.Status)
	}
	return &env, nil
}

// Encode returns the envelope's JSON with the body verbatim.
func (e *ReplyEnvelope) Encode() ([]byte, error) {
	c := *e
	return c.encode(&c)
}

// bodyForms puts a body in "json" when that keeps it byte for byte: a JSON
// content type, a valid document, no surrounding whitespace (a decoder
// returns a JSON value without it). Anything else goes to "body" as base64.
func bodyForms(contentType string, body []byte) (b64 []byte, raw json.RawMessage) {
	if len(body) == 0 {
		return nil, nil
	}
	if isJSONMedia(contentType) && !isSpace(body[0]) && !isSpace(body[len(body)-1]) && json.Valid(body) {
		return nil, body
	}
	return body, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// isJSONMedia reports whether a content type is application/json or a
// +json type (problem+json, merge-patch+json...).
func isJSONMedia(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// spliceJSON appends "json":raw as the last member of the object head,
// keeping raw byte for byte (encoding/json would compact and escape it).
func spliceJSON(head, raw []byte) []byte {
	if raw == nil {
		return head
	}
	out := make([]byte, 0, len(head)+len(raw)+9)
	out = append(out, head[:len(head)-1]...)
	if len(head) > 2 {
		out = append(out, ',')
	}
	out = append(out, `"json":`...)
	out = append(out, raw...)
	return append(out, '}')
}

// readReplyTarget extracts replyTo and correlationId from a message that is
// not a valid request (too large, unknown members...); empty when the
// payload is not JSON at all.
func readReplyTarget(payload []byte) replyTarget {
	var t replyTarget
	_ = json.Unmarshal(payload, &t)
	return t
}
