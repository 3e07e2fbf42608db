package endpoint

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

func TestDecodeIsStrict(t *testing.T) {
	type doc struct {
		A int `json:"a"`
	}
	cases := []struct {
		ct, body string
		code     fault.Code
	}{
		{"application/json", `{"a":1}`, ""},
		{"", `{"a":1}`, ""},
		{"application/problem+json", `{"a":1}`, ""},
		{"application/json", ``, fault.BadRequest},
		{"application/json", `{"a":1,"b":2}`, fault.BadRequest},
		{"application/json", `{"a":1} {"a":2}`, fault.BadRequest},
		{"application/json", `{"a":"x"}`, fault.BadRequest},
		{"text/plain", `{"a":1}`, fault.UnsupportedMedia},
	}
	for _, tc := range cases {
		var d doc
		err := Decode(&Request{Metadata: Metadata{"content-type": tc.ct}, Body: []byte(tc.body)}, &d)
		if fault.CodeOf(err) != tc.code {
			t.Errorf("%q %q: %v, want %q", tc.ct, tc.body, err, tc.code)
		}
	}
}

func TestTargetURI(t *testing.T) {
	r := &Request{Scheme: "https", Authority: "wfm:8443", Path: "/a/b", RawQuery: "x=1"}
	if got := r.TargetURI(); got != "https://wfm:8443/a/b?x=1" {
		t.Fatal(got)
	}
}
