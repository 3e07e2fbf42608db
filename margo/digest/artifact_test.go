package digest

import (
	"strings"
	"testing"
)

const helloHex = "5f8f04f6a3a892aaabbddb6cf273894493773960d4a325b105fee46eef4304f1"

// TestSha256KnownAnswer: the artifact digest is sha256: + lower-case hex.
func TestSha256KnownAnswer(t *testing.T) {
	if got := Sha256([]byte(helloBody)); got != "sha256:"+helloHex {
		t.Errorf("Sha256 = %q", got)
	}
}

// TestParseArtifact: only exactly sha256:<64 lower-case hex> is accepted.
func TestParseArtifact(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"valid", "sha256:" + helloHex, true},
		{"upper-case hex", "sha256:" + strings.ToUpper(helloHex), false},
		{"upper-case algorithm", "SHA256:" + helloHex, false},
		{"sha512 algorithm", "sha512:" + helloHex + helloHex, false},
		{"sha-256 spelling", "sha-256:" + helloHex, false},
		{"leading whitespace", " sha256:" + helloHex, false},
		{"trailing newline", "sha256:" + helloHex + "\n", false},
		{"short", "sha256:" + helloHex[:63], false},
		{"long", "sha256:" + helloHex + "0", false},
		{"non-hex", "sha256:" + helloHex[:63] + "g", false},
		{"bare hex", helloHex, false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseArtifact(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseArtifact(%q) error = %v, want ok = %v", tt.in, err, tt.ok)
			}
			if tt.ok && h != helloHex {
				t.Errorf("hex = %q", h)
			}
		})
	}
}

// TestMatchArtifact: the digest must be valid and match the bytes.
func TestMatchArtifact(t *testing.T) {
	tests := []struct {
		name string
		d    string
		body string
		want bool
	}{
		{"match", "sha256:" + helloHex, helloBody, true},
		{"other bytes", "sha256:" + helloHex, helloBody + "\n", false},
		{"upper-case hex never matches", "sha256:" + strings.ToUpper(helloHex), helloBody, false},
		{"invalid digest", "sha512:abc", helloBody, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchArtifact(tt.d, []byte(tt.body)); got != tt.want {
				t.Errorf("MatchArtifact = %v, want %v", got, tt.want)
			}
		})
	}
}
