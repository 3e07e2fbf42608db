package margo

import "testing"

func TestSFVDictionaryKinds(t *testing.T) {
	good := map[string]map[string]sfKind{
		`sig1=("@method" "@target-uri" "@authority" "content-digest");created=1700000000;keyid="ab";alg="ecdsa-p256-sha256"`: {"sig1": sfInnerList},
		`sig1=:MEUCIQ==:, sig2=:AAAA:`:                               {"sig1": sfBytes, "sig2": sfBytes},
		`a=1, b=-2.5, c="s\"q", d=tok/en:x, e=?1, f, g=()`:           {"a": sfOther, "b": sfOther, "c": sfOther, "d": sfOther, "e": sfOther, "f": sfOther, "g": sfInnerList},
		`  sig1=( "@method" );created=1  `:                           {"sig1": sfInnerList},
		`sig1=("@method");created=1;nonce="n";tag="margo";expires=2`: {"sig1": sfInnerList},
	}
	for in, want := range good {
		got := map[string]sfKind{}
		err := sfScanDictionary(in, func(k string, kind sfKind) { got[k] = kind })
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		for k, kind := range want {
			if got[k] != kind {
				t.Errorf("%q: member %s kind %v, want %v", in, k, got[k], kind)
			}
		}
	}
	for _, in := range []string{
		``, `,`, `sig1=`, `Sig1=:AA==:`, `sig1=(`, `sig1=("a"`, `sig1=("a""b")`, `sig1=:AA`, `sig1=:%%:`,
		`sig1="unterminated`, `sig1=1234567890123456`, `sig1=1.2345`, `sig1=?2`, `sig1=:AA==:,`, `sig1=:AA==: x`,
		`sig1=("a");=1`, `sig1="a\x"`, "sig1=\"\x01\"", `sig1=@x`,
	} {
		if err := sfScanDictionary(in, func(string, sfKind) {}); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
}
