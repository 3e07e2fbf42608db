package digest

import (
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// helloBody and its SHA-256 are the RFC 9530 example (checked with openssl).
const (
	helloBody   = `{"hello": "world"}`
	helloSHA256 = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
	// goodDogSHA512 is the RFC 9421 Appendix B.2.4 Content-Digest.
	goodDogBody   = `{"message": "good dog"}`
	goodDogSHA512 = "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:"
)

// TestComputeKnownAnswer: Compute is sha-256=:<base64 SHA-256>: of the raw body.
func TestComputeKnownAnswer(t *testing.T) {
	tests := []struct{ body, want string }{
		{helloBody, helloSHA256},
		{"", "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"},
	}
	for _, tt := range tests {
		if got := Compute([]byte(tt.body)); got != tt.want {
			t.Errorf("Compute(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func sha512Member(b []byte) string {
	s := sha512.Sum512(b)
	return "sha-512=:" + base64.StdEncoding.EncodeToString(s[:]) + ":"
}

// TestVerify: supported members must all match, unknown algorithms are
// ignored but one supported member is required; every failure is a 400
// invalid-digest-header problem with a clear detail.
func TestVerify(t *testing.T) {
	body := []byte(helloBody)
	wrong := Compute([]byte("other"))
	tests := []struct {
		name    string
		header  string
		body    string
		wantErr string // "" means valid
	}{
		{"sha-256 matches", helloSHA256, helloBody, ""},
		{"sha-512 matches (RFC 9421 B.2.4)", goodDogSHA512, goodDogBody, ""},
		{"both match", sha512Member(body) + ", " + helloSHA256, helloBody, ""},
		{"surrounding and inner whitespace", " \t" + helloSHA256 + " ,\t" + sha512Member(body) + " ", helloBody, ""},
		{"unknown algorithm ignored", "md5=:AAAA:, " + helloSHA256 + ", unixsum=42", helloBody, ""},
		{"parameters tolerated", helloSHA256 + ";note=\"x\"", helloBody, ""},
		{"unpadded base64 tolerated", strings.TrimSuffix(helloSHA256, "=:") + ":", helloBody, ""},
		{"empty body", Compute(nil), "", ""},
		{"missing", "", helloBody, "missing or empty"},
		{"whitespace only", "  \t", helloBody, "missing or empty"},
		{"mismatch", wrong, helloBody, "sha-256 does not match the request body"},
		{"one of two mismatches", sha512Member([]byte("x")) + ", " + helloSHA256, helloBody, "sha-512 does not match"},
		{"only unsupported algorithms", "md5=:AAAA:, sha=:AAAA:", helloBody, "no supported algorithm"},
		{"upper-case algorithm is not a key", "SHA-256=" + strings.TrimPrefix(helloSHA256, "sha-256="), helloBody, "malformed"},
		{"not a byte sequence", `sha-256="X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="`, helloBody, "is not a byte sequence"},
		{"inner list value", "sha-256=(:AAAA:)", helloBody, "is not a byte sequence"},
		{"wrong length", "sha-256=:AAAA:", helloBody, "has 3 bytes, want 32"},
		{"legacy Digest syntax", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", helloBody, "malformed"},
		{"bare base64", "X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", helloBody, "malformed"},
		{"unterminated byte sequence", "sha-256=:X48E9qOo", helloBody, "malformed"},
		{"bad base64", "sha-256=:X48E9qOo!kqq:", helloBody, "malformed"},
		{"trailing comma", helloSHA256 + ",", helloBody, "malformed"},
		{"too long", helloSHA256 + ", x=\"" + strings.Repeat("a", MaxHeaderLen) + "\"", helloBody, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.header, []byte(tt.body))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			var fe *fault.Error
			if !errors.As(err, &fe) {
				t.Fatalf("Verify = %v, want *fault.Error", err)
			}
			if fe.Code != fault.BadRequest || fe.Type != document.ProblemInvalidDigestHeader || !strings.Contains(fe.Detail, tt.wantErr) {
				t.Fatalf("Verify = code %s type %s detail %q, want 400 %s containing %q", fe.Code, fe.Type, fe.Detail, document.ProblemInvalidDigestHeader, tt.wantErr)
			}
			if !errors.Is(err, &fault.Error{Code: fault.BadRequest, Type: document.ProblemInvalidDigestHeader}) {
				t.Error("errors.Is does not match the invalid-digest-header problem")
			}
		})
	}
}
