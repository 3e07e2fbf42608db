package signature

import (
	"strings"
	"testing"
)

// serializeDictionary serializes d (test helper for round trips).
func serializeDictionary(d dictionary) (string, error) {
	var b []byte
	var err error
	for i, m := range d {
		if i > 0 {
			b = append(b, ", "...)
		}
		if b, err = appendMember(b, m); err != nil {
			return "", err
		}
	}
	return string(b), nil
}

// TestParseDictionary: RFC 8941 dictionaries parse (tolerating whitespace)
// and serialize back canonically; malformed input is rejected.
func TestParseDictionary(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // canonical serialization; "" with wantErr
		wantErr string
	}{
		{"signature input", `sig1=("@method" "@target-uri");created=1618884473;keyid="k"`, `sig1=("@method" "@target-uri");created=1618884473;keyid="k"`, ""},
		{"surrounding whitespace", " \t a=1 \t", "a=1", ""},
		{"whitespace around commas", "a=1 ,\tb=2,c=3", "a=1, b=2, c=3", ""},
		{"spaces inside inner list", `a=(  "x"   "y"  );p`, `a=("x" "y");p`, ""},
		{"empty inner list", "a=()", "a=()", ""},
		{"bare key is true", "a, b;x=?0", "a, b;x=?0", ""},
		{"explicit true collapses", "a=?1;x=?1", "a;x", ""},
		{"byte sequence", "sig=:AQID:", "sig=:AQID:", ""},
		{"unpadded byte sequence", "sig=:AQIDBA:", "sig=:AQIDBA==:", ""},
		{"string escapes", `a="q\"b\\s"`, `a="q\"b\\s"`, ""},
		{"token", "a=tok/en:x", "a=tok/en:x", ""},
		{"decimals", "a=1.50, b=-0.001, c=123456789012.5", "a=1.5, b=-0.001, c=123456789012.5", ""},
		{"negative integer", "a=-42", "a=-42", ""},
		{"duplicate key overwrites in place", "a=1, b=2, a=3", "a=3, b=2", ""},
		{"space after semicolon", "a=1; x=2", "a=1;x=2", ""},
		{"empty input", "", "", ""},
		{"trailing comma", "a=1,", "", "trailing comma"},
		{"missing comma", "a=1 b=2", "", "expected ','"},
		{"upper-case key", "A=1", "", "invalid key"},
		{"missing value", "a=", "", "missing value"},
		{"unterminated string", `a="x`, "", "unterminated string"},
		{"bad escape", `a="\n"`, "", "invalid escape"},
		{"control character in string", "a=\"x\ty\"", "", "invalid string character"},
		{"unterminated inner list", `a=("x"`, "", "unterminated inner list"},
		{"junk in inner list", `a=("x"z)`, "", "expected ' ' or ')'"},
		{"unterminated byte sequence", "a=:AAAA", "", "unterminated byte sequence"},
		{"bad base64", "a=:A*AA:", "", "invalid base64"},
		{"bad base64 length", "a=:A:", "", "bad base64"},
		{"integer too long", "a=1234567890123456", "", "integer too long"},
		{"decimal with four fraction digits", "a=1.2345", "", "fraction digits"},
		{"decimal without fraction", "a=1.", "", "fraction digits"},
		{"decimal integer part too long", "a=1234567890123.5", "", "too long"},
		{"bad boolean", "a=?2", "", "invalid boolean"},
		{"lone minus", "a=-", "", "expected a digit"},
		{"unexpected character", "a=@x", "", "unexpected character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := parseDictionary(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := serializeDictionary(d)
			if err != nil || got != tt.want {
				t.Fatalf("serialized = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestParseDictionaryBounds: member, item and parameter counts are bounded.
func TestParseDictionaryBounds(t *testing.T) {
	many := func(n int, f func(i int) string, sep string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = f(i)
		}
		return strings.Join(parts, sep)
	}
	key := func(i int) string { return "k" + strings.Repeat("a", i) }
	tests := []struct {
		name, in, want string
	}{
		{"members", many(maxMembers+1, func(i int) string { return key(i) + "=1" }, ","), "members"},
		{"inner list items", "a=(" + many(maxInnerItems+1, func(int) string { return "1" }, " ") + ")", "items"},
		{"parameters", "a=1" + many(maxParams+1, func(i int) string { return ";" + key(i) }, ""), "parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseDictionary(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}
