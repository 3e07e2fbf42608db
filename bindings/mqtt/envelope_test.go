package mqtt

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestBodiesTravelByteForByte(t *testing.T) {
	for _, tc := range []struct {
		ct   string
		body []byte
		form string // "json" or "body"
	}{
		{"application/json", []byte(`{"a": [1, 2],  "h":"<&>"}`), "json"},
		{"application/problem+json; charset=utf-8", []byte(`{"status":404}`), "json"},
		{"application/json", []byte("{\"a\":1}\n"), "body"}, // trailing whitespace would be lost
		{"application/json", []byte(`{"a":`), "body"},       // not JSON
		{"text/plain", []byte(`{"a":1}`), "body"},           // not a JSON type
		{"application/octet-stream", []byte{0, 0xff, 0x80, '"', '\\'}, "body"},
		{"", []byte("plain"), "body"},
		{"application/json", nil, ""},
	} {
		env := RequestEnvelope{Method: "POST", Path: "/x"}
		env.SetPayload(tc.ct, tc.body)
		raw, err := env.Encode()
		if err != nil {
			t.Fatal(err)
		}
		var members map[string]json.RawMessage
		if err := json.Unmarshal(raw, &members); err != nil {
			t.Fatalf("%q: envelope %s is not JSON: %v", tc.body, raw, err)
		}
		_, hasJSON := members["json"]
		_, hasBody := members["body"]
		if got := map[bool]string{true: "json"}[hasJSON] + map[bool]string{true: "body"}[hasBody]; got != tc.form {
			t.Errorf("%q as %q: form %q, want %q (%s)", tc.body, tc.ct, got, tc.form, raw)
		}
		back, err := DecodeRequest(raw)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back.Payload(), tc.body) {
			t.Errorf("%q came back as %q", tc.body, back.Payload())
		}

		rep := ReplyEnvelope{Status: 200, CorrelationID: "c"}
		rep.SetPayload(tc.ct, tc.body)
		raw, err = rep.Encode()
		if err != nil {
			t.Fatal(err)
		}
		rback, err := DecodeReply(raw)
		if err != nil || !bytes.Equal(rback.Payload(), tc.body) || rback.CorrelationID != "c" {
			t.Errorf("reply %q came back as %q (%v)", tc.body, rback.Payload(), err)
		}
	}
}

func TestDecodeRequestIsStrict(t *testing.T) {
	for payload, want := range map[string]string{
		`not json`: "malformed request envelope",
		`{"method":"GET","path":"/","header":{}}`:              `unknown field "header"`,
		`{"method":"GET","path":"/"} {}`:                       "data after the document",
		`{"method":"GET","path":"/","body":"!!"}`:              "malformed request envelope",
		`{"method":"GET","path":"/","metadata":{"a":1}}`:       "malformed request envelope",
		`{"method":"POST","path":"/","body":"YQ==","json":{}}`: `"body" and "json" are exclusive`,
	} {
		_, err := DecodeRequest([]byte(payload))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", payload, err, want)
		}
	}
}

func TestDecodeReplyIsLenient(t *testing.T) {
	rep, err := DecodeReply([]byte(`{"status":201,"future":true,"metadata":{"etag":"\"x\""},"body":"aGk="}`))
	if err != nil || rep.Status != 201 || string(rep.Payload()) != "hi" || rep.Metadata["etag"] != `"x"` {
		t.Fatalf("%+v %v", rep, err)
	}
	if _, err := DecodeReply([]byte(`{"metadata":{}}`)); err == nil {
		t.Fatal("a reply without a status was accepted")
	}
}

func TestReplyTargetOfUndecodableMessages(t *testing.T) {
	big := `{"method":"PUT","path":"/x","body":"` + strings.Repeat("A", 1<<16) + `","replyTo":"r/1","correlationId":"c1","extra":1}`
	if got := readReplyTarget([]byte(big)); got.ReplyTo != "r/1" || got.CorrelationID != "c1" {
		t.Fatalf("%+v", got)
	}
	if got := readReplyTarget([]byte(`{"replyTo":`)); got.ReplyTo != "" {
		t.Fatalf("%+v", got)
	}
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"method":"GET","path":"/a?b=1","metadata":{"x":"y"},"json":{"a":[1]}}`))
	f.Add([]byte(`{"method":"POST","path":"/","body":"AAE="}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		env, err := DecodeRequest(payload)
		if err != nil {
			return
		}
		raw, err := env.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeRequest(raw)
		if err != nil {
			t.Fatalf("re-encoded %s: %v", raw, err)
		}
		if !bytes.Equal(back.Payload(), env.Payload()) || back.Method != env.Method || back.Path != env.Path {
			t.Fatalf("round trip changed %s into %s", payload, raw)
		}
	})
}
