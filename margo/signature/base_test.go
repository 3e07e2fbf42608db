package signature

import (
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/margo/sfv"
)

// TestSignatureBaseKnownAnswer: the signature base of a fixed Margo request
// is exactly the RFC 9421 §2.5 text, byte for byte, and the signature is
// made over exactly those bytes.
func TestSignatureBaseKnownAnswer(t *testing.T) {
	key := parseKey(t, testKeyP256)
	tests := []struct {
		name      string
		msg       *Message
		wantInput string
		wantBase  string
	}{
		{
			name: "POST with body covers content-digest",
			msg: &Message{
				Method:    "POST",
				TargetURI: "https://wfm.example.com/api/v1/clients/c1/deployments/d1/status",
				Authority: "WFM.Example.com:443",
				Headers:   map[string]string{"content-type": "application/json"},
				Body:      []byte(`{"hello": "world"}`),
			},
			wantInput: `sig1=("@method" "@target-uri" "@authority" "content-digest");created=1618884473;keyid="client-1-key";alg="ecdsa-p256-sha256"`,
			wantBase: `"@method": POST
"@target-uri": https://wfm.example.com/api/v1/clients/c1/deployments/d1/status
"@authority": wfm.example.com
"content-digest": sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:
"@signature-params": ("@method" "@target-uri" "@authority" "content-digest");created=1618884473;keyid="client-1-key";alg="ecdsa-p256-sha256"`,
		},
		{
			name: "bodiless GET omits content-digest",
			msg: &Message{
				Method:    "GET",
				TargetURI: "https://wfm.example.com:8443/api/v1/clients/c1/deployments?watch=false",
			},
			wantInput: `sig1=("@method" "@target-uri" "@authority");created=1618884473;keyid="client-1-key";alg="ecdsa-p256-sha256"`,
			wantBase: `"@method": GET
"@target-uri": https://wfm.example.com:8443/api/v1/clients/c1/deployments?watch=false
"@authority": wfm.example.com:8443
"@signature-params": ("@method" "@target-uri" "@authority");created=1618884473;keyid="client-1-key";alg="ecdsa-p256-sha256"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Signer{Key: key, KeyID: "client-1-key", Now: func() time.Time { return time.Unix(1618884473, 0) }}
			in, sig, err := s.Sign(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if in != tt.wantInput {
				t.Errorf("Signature-Input =\n%s\nwant\n%s", in, tt.wantInput)
			}
			d, err := sfv.ParseDictionary(in)
			if err != nil {
				t.Fatal(err)
			}
			sp, err := parseSigParams(d[0])
			if err != nil {
				t.Fatal(err)
			}
			base, err := signatureBase(tt.msg, sp.components, sp.serialized)
			if err != nil {
				t.Fatal(err)
			}
			if string(base) != tt.wantBase {
				t.Errorf("signature base =\n%s\nwant\n%s", base, tt.wantBase)
			}
			raw, err := signatureValue(mustDict(t, sig), "sig1")
			if err != nil {
				t.Fatal(err)
			}
			a, _ := lookupAlg(AlgECDSAP256SHA256)
			if !a.verify(key.Public(), []byte(tt.wantBase), raw) {
				t.Error("signature does not verify over the literal base")
			}
		})
	}
}

func mustDict(t testing.TB, s string) sfv.Dictionary {
	t.Helper()
	d, err := sfv.ParseDictionary(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestComponentValues: derived components and fields get their RFC 9421
// §2.1/§2.2 values.
func TestComponentValues(t *testing.T) {
	m := &Message{
		Method:    "POST",
		TargetURI: "HTTPS://WFM.example.com:443/a%2Fb/c?x=1&y=%20#frag",
		Headers:   map[string]string{"x-list": "  a, b \t", "X-Mixed": "v"},
	}
	tests := []struct {
		name      string
		msg       *Message
		component string
		want      string
		wantErr   string
	}{
		{"@method is the method as sent", m, "@method", "POST", ""},
		{"@target-uri is the URI as given", m, "@target-uri", m.TargetURI, ""},
		{"@authority is lower-cased without the default port", m, "@authority", "wfm.example.com", ""},
		{"@scheme is lower-cased", m, "@scheme", "https", ""},
		{"@path keeps the escaping", m, "@path", "/a%2Fb/c", ""},
		{"@query has a leading ?", m, "@query", "?x=1&y=%20", ""},
		{"@request-target is path and query", m, "@request-target", "/a%2Fb/c?x=1&y=%20", ""},
		{"field values are trimmed", m, "x-list", "a, b", ""},
		{"field names match case-insensitively", m, "x-mixed", "v", ""},
		{"absent field", m, "x-absent", "", "absent"},
		{"unsupported derived component", m, "@query-param", "", "not supported"},
		{"empty path is /", &Message{TargetURI: "https://h.example"}, "@path", "/", ""},
		{"absent query is ?", &Message{TargetURI: "https://h.example/p"}, "@query", "?", ""},
		{"empty query is ?", &Message{TargetURI: "https://h.example/p?"}, "@query", "?", ""},
		{"request-target of an empty path", &Message{TargetURI: "https://h.example"}, "@request-target", "/", ""},
		{"authority falls back to the target URI", &Message{TargetURI: "http://H.example:80/"}, "@authority", "h.example", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, err := parseTarget(tt.msg.TargetURI)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.msg.componentValue(tt.component, &tg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("value = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestNormalizeAuthority: @authority is lower-case host[:port] without the
// scheme's default port.
func TestNormalizeAuthority(t *testing.T) {
	tests := []struct{ in, scheme, want string }{
		{"Example.COM:443", "https", "example.com"},
		{"example.com:80", "http", "example.com"},
		{"example.com:80", "https", "example.com:80"},
		{"example.com:8443", "https", "example.com:8443"},
		{"example.com:", "https", "example.com"},
		{"[::1]:443", "https", "[::1]"},
		{"[::1]:8443", "https", "[::1]:8443"},
		{"[::443]", "https", "[::443]"},
		{"10.0.0.1:443", "https", "10.0.0.1"},
		{"host:443", "mqtt", "host:443"},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.scheme, func(t *testing.T) {
			if got := normalizeAuthority(tt.in, tt.scheme); got != tt.want {
				t.Errorf("normalizeAuthority(%q, %q) = %q, want %q", tt.in, tt.scheme, got, tt.want)
			}
		})
	}
}

// TestSignatureBaseRejects: values that would corrupt the base are errors.
func TestSignatureBaseRejects(t *testing.T) {
	tests := []struct {
		name       string
		msg        *Message
		components []string
		want       string
	}{
		{"line break in a field", &Message{Method: "GET", TargetURI: "https://h/", Headers: map[string]string{"x": "a\r\nb"}}, []string{"x"}, "line break"},
		{"space in the target URI", &Message{Method: "GET", TargetURI: "https://h/a b"}, []string{"@path"}, "space"},
		{"no authority", &Message{Method: "GET", TargetURI: "https:///p"}, []string{"@path"}, "no authority"},
		{"@signature-params covered", &Message{Method: "GET", TargetURI: "https://h/"}, []string{"@signature-params"}, "cannot be a covered component"},
		{"duplicate component", &Message{Method: "GET", TargetURI: "https://h/"}, []string{"@method", "@method"}, "twice"},
		{"empty method", &Message{TargetURI: "https://h/"}, []string{"@method"}, "invalid method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := signatureBase(tt.msg, tt.components, "()")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}
