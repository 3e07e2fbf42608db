package sfv

import (
	"strings"
	"testing"
)

// shape is what ScanDictionary reports of a member.
type shape struct {
	isList bool
	kind   Kind
}

var (
	shapeList  = shape{isList: true}
	shapeBytes = shape{kind: KindBytes}
)

// TestScanDictionaryKinds: ScanDictionary reports each member's shape.
func TestScanDictionaryKinds(t *testing.T) {
	good := map[string]map[string]shape{
		`sig1=("@method" "@target-uri" "@authority" "content-digest");created=1700000000;keyid="ab";alg="ecdsa-p256-sha256"`: {"sig1": shapeList},
		`sig1=:MEUCIQ==:, sig2=:AAAA:`: {"sig1": shapeBytes, "sig2": shapeBytes},
		`a=1, b=-2.5, c="s\"q", d=tok/en:x, e=?1, f, g=()`: {"a": {kind: KindInteger}, "b": {kind: KindDecimal},
			"c": {kind: KindString}, "d": {kind: KindToken}, "e": {kind: KindBoolean}, "f": {kind: KindBoolean}, "g": shapeList},
		`  sig1=( "@method" );created=1  `:                           {"sig1": shapeList},
		`sig1=("@method");created=1;nonce="n";tag="margo";expires=2`: {"sig1": shapeList},
	}
	for in, want := range good {
		got := map[string]shape{}
		err := ScanDictionary(in, func(k string, isList bool, kind Kind) { got[k] = shape{isList, kind} })
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		for k, s := range want {
			if got[k] != s {
				t.Errorf("%q: member %s is %+v, want %+v", in, k, got[k], s)
			}
		}
	}
}

// TestScanDictionaryRejects: what ParseDictionary rejects, ScanDictionary
// rejects too (and the empty field has no members).
func TestScanDictionaryRejects(t *testing.T) {
	for _, in := range []string{
		`,`, `sig1=`, `Sig1=:AA==:`, `sig1=(`, `sig1=("a"`, `sig1=("a""b")`, `sig1=:AA`, `sig1=:%%:`,
		`sig1="unterminated`, `sig1=1234567890123456`, `sig1=1.2345`, `sig1=?2`, `sig1=:AA==:,`, `sig1=:AA==: x`,
		`sig1=("a");=1`, `sig1="a\x"`, "sig1=\"\x01\"", `sig1=@x`, `sig1=:A:`,
		"a=1" + strings.Repeat(";p", MaxParams+1), "a=(" + strings.Repeat("1 ", MaxInnerItems+1) + ")",
	} {
		if _, err := ParseDictionary(in); err == nil {
			t.Errorf("%q: ParseDictionary accepted", in)
		}
		if err := ScanDictionary(in, func(string, bool, Kind) {}); err == nil {
			t.Errorf("%q: ScanDictionary accepted", in)
		}
	}
	n := 0
	if err := ScanDictionary(" ", func(string, bool, Kind) { n++ }); err != nil || n != 0 {
		t.Errorf("empty field: %v, %d members", err, n)
	}
}

// TestScanDictionaryBounds: members are bounded like ParseDictionary's,
// repeated keys counting once.
func TestScanDictionaryBounds(t *testing.T) {
	var b strings.Builder
	for i := range MaxMembers {
		b.WriteString("k" + strings.Repeat("a", i) + "=1,")
	}
	visits := 0
	if err := ScanDictionary(b.String()+"k=2", func(string, bool, Kind) { visits++ }); err != nil || visits != MaxMembers+1 {
		t.Fatalf("at the limit: %v, %d visits", err, visits)
	}
	if err := ScanDictionary(b.String()+"zz=1", func(string, bool, Kind) {}); err == nil || !strings.Contains(err.Error(), "members") {
		t.Fatalf("over the limit: %v", err)
	}
}

// TestRequirePadding: the strict parser refuses unpadded byte sequences
// wherever they stand; the default parser accepts them.
func TestRequirePadding(t *testing.T) {
	strict := Parser{RequirePadding: true}
	for _, in := range []string{"sig1=:AQIDBA:", `sig1=("a";n=:AQ:)`, "sig1=1;x=:AQIDBA:"} {
		if _, err := ParseDictionary(in); err != nil {
			t.Errorf("%q: default parser: %v", in, err)
		}
		if _, err := strict.ParseDictionary(in); err == nil {
			t.Errorf("%q: strict parser accepted", in)
		}
		if err := strict.ScanDictionary(in, func(string, bool, Kind) {}); err == nil {
			t.Errorf("%q: strict scan accepted", in)
		}
	}
	if err := strict.ScanDictionary("sig1=:AQIDBA==:, b=:AQID:", func(string, bool, Kind) {}); err != nil {
		t.Errorf("strict scan of padded bytes: %v", err)
	}
}

// TestScanDictionaryDoesNotAllocate: checking the Signature fields of a
// request costs no allocation.
func TestScanDictionaryDoesNotAllocate(t *testing.T) {
	in := `sig1=("@method" "@target-uri" "@authority" "content-digest");created=1700000000;keyid="k\"1";alg="ecdsa-p256-sha256"`
	sig := `sig1=:MEUCIQDxkq3Gx3nIAVLqzXVYSaR7Z0k6qJXlRRNmVaTvJ1lNfAIgNM2pQz2D4W6rO4TmUTYy+Qj1wmWv0fkSX6Ln1eiLo3U=:`
	found := 0
	visit := func(_ string, isList bool, kind Kind) {
		if isList || kind == KindBytes {
			found++
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		if ScanDictionary(in, visit) != nil || ScanDictionary(sig, visit) != nil {
			t.Fatal("scan failed")
		}
	})
	if allocs != 0 || found == 0 {
		t.Fatalf("%v allocations per scan, %d members found", allocs, found)
	}
}
