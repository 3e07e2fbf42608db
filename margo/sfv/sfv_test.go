package sfv

import (
	"strconv"
	"strings"
	"testing"
)

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
		{"duplicate parameter overwrites in place", "a=1;x=1;y;x=2", "a=1;x=2;y", ""},
		{"space after semicolon", "a=1; x=2", "a=1;x=2", ""},
		{"empty input", "", "", ""},
		{"trailing comma", "a=1,", "", "trailing comma"},
		{"missing comma", "a=1 b=2", "", "expected ','"},
		{"upper-case key", "A=1", "", "invalid key"},
		{"missing value", "a=", "", "missing value"},
		{"unterminated string", `a="x`, "", "unterminated string"},
		{"unterminated escape", `a="x\`, "", "unterminated escape"},
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
			d, err := ParseDictionary(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := SerializeDictionary(d)
			if err != nil || got != tt.want {
				t.Fatalf("serialized = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestParseDictionaryValues: parsed members carry their typed values.
func TestParseDictionaryValues(t *testing.T) {
	d, err := ParseDictionary(`i=-7, d=2.05, s="a\"b", t=*x, b=:AQID:, f=?0, l=("c" 1);p=1, k;q`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]BareItem{
		"i": {Kind: KindInteger, Int: -7},
		"d": {Kind: KindDecimal, Int: 2050},
		"s": {Kind: KindString, Str: `a"b`},
		"t": {Kind: KindToken, Str: "*x"},
		"f": {Kind: KindBoolean},
		"k": {Kind: KindBoolean, Bool: true},
	}
	for key, w := range want {
		if m, ok := d.Get(key); !ok || m.IsList || m.Item.Value.Kind != w.Kind || m.Item.Value.Int != w.Int ||
			m.Item.Value.Str != w.Str || m.Item.Value.Bool != w.Bool {
			t.Errorf("member %s = %+v, want %+v", key, m, w)
		}
	}
	if m, _ := d.Get("b"); string(m.Item.Value.Bytes) != "\x01\x02\x03" {
		t.Errorf("bytes = %q", m.Item.Value.Bytes)
	}
	if m, _ := d.Get("k"); len(m.Item.Params) != 1 || m.Item.Params[0].Key != "q" {
		t.Errorf("bare key params = %+v", m.Item.Params)
	}
	l, _ := d.Get("l")
	if p, ok := l.List.Params.Get("p"); !l.IsList || len(l.List.Items) != 2 || !ok || p.Int != 1 {
		t.Errorf("inner list = %+v", l)
	}
	if _, ok := d.Get("nope"); ok {
		t.Error("Get found a missing key")
	}
}

// TestParseDictionarySyntax: every RFC 8941 member form is accepted and
// malformed dictionaries are rejected.
func TestParseDictionarySyntax(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"all item types", `a=1, b=-1.25, c="s\"q", d=tok/en, e=?0, f=:AQID:, g=("x" 1;p);q, h;x=1`, true},
		{"empty inner list", "a=()", true},
		{"duplicate overwrites", "a=:AA==:, a=1", true},
		{"bad boolean", "a=?x", false},
		{"long integer", "a=1234567890123456", false},
		{"long decimal fraction", "a=1.2345", false},
		{"decimal without fraction", "a=1.", false},
		{"bad escape", `a="\x"`, false},
		{"unterminated string", `a="x`, false},
		{"unterminated inner list", `a=(1 2`, false},
		{"junk in inner list", `a=(1,2)`, false},
		{"lone minus", "a=-", false},
		{"missing value", "a=", false},
		{"bad key", "1a=1", false},
		{"unexpected char", "a=@1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDictionary(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseDictionary(%.60q) error = %v, want ok = %v", tt.in, err, tt.ok)
			}
		})
	}
}

// TestParseDictionaryBounds: member, item and parameter counts are bounded;
// repeated members count once, repeated parameters every time.
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
		name, in, wantErr string // wantErr "" accepts
	}{
		{"members", many(MaxMembers+1, func(i int) string { return key(i) + "=1" }, ","), "members"},
		{"numbered members", many(MaxMembers+1, func(i int) string { return "k" + strconv.Itoa(i) + "=1" }, ", "), "members"},
		{"repeated members count once", strings.Repeat("a=1,", MaxMembers) + "zz=1", ""},
		{"inner list items", "a=(" + many(MaxInnerItems+1, func(int) string { return "1" }, " ") + ")", "items"},
		{"parameters", "a=1" + many(MaxParams+1, func(i int) string { return ";" + key(i) }, ""), "parameters"},
		{"repeated parameters", "a=1" + strings.Repeat(";p", MaxParams+1), "parameters"},
		{"as many as allowed", many(MaxMembers, func(i int) string { return key(i) + "=1" }, ",") + ",k=(" +
			many(MaxInnerItems, func(int) string { return "1" }, " ") + ")" + strings.Repeat(";p", MaxParams), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDictionary(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestIsKey: keys are lower-case and start with a letter or "*".
func TestIsKey(t *testing.T) {
	for s, want := range map[string]bool{"sig1": true, "*a_b-c.d*": true, "": false, "Sig": false, "1a": false, "a b": false, "a=": false} {
		if got := IsKey(s); got != want {
			t.Errorf("IsKey(%q) = %v", s, got)
		}
	}
}

// TestSerializeRejects: values without an RFC 8941 form are refused.
func TestSerializeRejects(t *testing.T) {
	for name, v := range map[string]BareItem{
		"big integer":     {Kind: KindInteger, Int: 1e15},
		"big decimal":     {Kind: KindDecimal, Int: 1e15},
		"control in str":  {Kind: KindString, Str: "a\nb"},
		"empty token":     {Kind: KindToken},
		"bad token start": {Kind: KindToken, Str: "1x"},
		"bad token char":  {Kind: KindToken, Str: "a b"},
		"no kind":         {},
	} {
		if _, err := SerializeInnerList(InnerList{Items: []Item{{Value: v}}}); err != ErrNotSerializable {
			t.Errorf("%s: error = %v", name, err)
		}
	}
}
