package margo

import "testing"

// TestHasMember: the presence check before the client lookup wants a
// well-formed dictionary with an inner list (Signature-Input) or a padded
// byte sequence (Signature) among its members.
func TestHasMember(t *testing.T) {
	good := []struct {
		field string
		list  bool
	}{
		{`sig1=("@method" "@target-uri" "@authority" "content-digest");created=1700000000;keyid="ab";alg="ecdsa-p256-sha256"`, true},
		{`sig1=:MEUCIQ==:, sig2=:AAAA:`, false},
		{`a=1, b=-2.5, c="s\"q", d=tok/en:x, e=?1, f, g=()`, true},
		{`  sig1=( "@method" );created=1  `, true},
		{`sig1=("@method");created=1;nonce="n";tag="margo";expires=2`, true},
		{`a=1, sig1=:AAAA:`, false},
	}
	for _, tt := range good {
		if err := hasMember(tt.field, tt.list); err != nil {
			t.Errorf("%q (list %v): %v", tt.field, tt.list, err)
		}
	}
	for _, in := range []string{
		``, `,`, `sig1=`, `Sig1=:AA==:`, `sig1=(`, `sig1=("a"`, `sig1=("a""b")`, `sig1=:AA`, `sig1=:%%:`,
		`sig1="unterminated`, `sig1=1234567890123456`, `sig1=1.2345`, `sig1=?2`, `sig1=:AA==:,`, `sig1=:AA==: x`,
		`sig1=("a");=1`, `sig1="a\x"`, "sig1=\"\x01\"", `sig1=@x`, `sig1=:AQIDBA:`, `sig1=("a";n=:AQ:)`,
	} {
		for _, list := range []bool{true, false} {
			if err := hasMember(in, list); err == nil {
				t.Errorf("%q (list %v): accepted", in, list)
			}
		}
	}
	for field, list := range map[string]bool{`sig1=:AAAA:`: true, `sig1=("@method")`: false, `a=1`: false} {
		if err := hasMember(field, list); err == nil {
			t.Errorf("%q (list %v): accepted without such a member", field, list)
		}
	}
}

// TestHasMemberDoesNotAllocate: the presence check costs no allocation.
func TestHasMemberDoesNotAllocate(t *testing.T) {
	in := `sig1=("@method" "@target-uri" "content-digest");created=1700000000;keyid="k";alg="ecdsa-p256-sha256"`
	sig := `sig1=:MEUCIQDxkq3Gx3nIAVLqzXVYSaR7Z0k6qJXlRRNmVaTvJ1lNfAIgNM2pQz2D4W6rO4TmUTYy+Qj1wmWv0fkSX6Ln1eiLo3U=:`
	allocs := testing.AllocsPerRun(100, func() {
		if hasMember(in, true) != nil || hasMember(sig, false) != nil {
			t.Fatal("presence check failed")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per check", allocs)
	}
}
