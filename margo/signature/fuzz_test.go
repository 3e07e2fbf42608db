package signature

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/sfv"
)

// FuzzVerify: Verify never panics, and every failure is a 401 signature
// problem or a 400 digest problem. Seeds in testdata/fuzz/FuzzVerify hold
// valid signatures made with testKeyP256 at testNow.
func FuzzVerify(f *testing.F) {
	key := parseKey(f, testKeyP256)
	m := testMessage([]byte(testBody))
	in, sig, err := (&Signer{Key: key, Now: testNow}).Sign(m)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(in, sig, m.Method, m.TargetURI, m.Headers["content-digest"], m.Body)
	f.Add(`a=("@method" "x";k=1);created=-1, b=?0`, "a=:AA==:, b=(1 2)", "GET", "https://[::1]:443", "sha-256=:AA:", []byte(nil))
	pub := key.Public()
	f.Fuzz(func(t *testing.T, in, sig, method, target, contentDigest string, body []byte) {
		msg := &Message{
			Method:    method,
			TargetURI: target,
			Headers:   map[string]string{"content-digest": contentDigest, "content-type": "application/json"},
			Body:      body,
		}
		_, err := (&Verifier{Now: testNow}).Verify(msg, in, sig, pub)
		if err == nil {
			return
		}
		fe := fault.As(err)
		switch {
		case fe.Code == fault.Unauthorized && fe.Type == document.ProblemSignatureVerificationFailed:
		case fe.Code == fault.BadRequest && fe.Type != "":
		default:
			t.Fatalf("unexpected error %v (code %s, type %q)", err, fe.Code, fe.Type)
		}
	})
}

// FuzzParseSignatureInput: parsing never panics, a parsed dictionary
// serializes and re-parses to the same serialization, and a member accepted
// as signature parameters keeps its components through the round trip
// (margo/sfv fuzzes the dictionary grammar on its own).
func FuzzParseSignatureInput(f *testing.F) {
	f.Add(`sig1=("@method" "@target-uri" "@authority" "content-digest");created=1618884473;keyid="k";alg="ecdsa-p256-sha256"`)
	f.Add(`a=1.5, b=?0, c=:AQID:, d=tok/x;p="q\"", e=("x";y z), f`)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := sfv.ParseDictionary(s)
		if err != nil {
			return
		}
		once, err := sfv.SerializeDictionary(d)
		if err != nil {
			t.Fatalf("cannot serialize parsed %q: %v", s, err)
		}
		d2, err := sfv.ParseDictionary(once)
		if err != nil {
			t.Fatalf("cannot re-parse %q (from %q): %v", once, s, err)
		}
		twice, err := sfv.SerializeDictionary(d2)
		if err != nil || twice != once {
			t.Fatalf("round trip %q -> %q -> %q (%v)", s, once, twice, err)
		}
		for i, m := range d {
			sp, err := parseSigParams(m)
			if err != nil {
				continue
			}
			sp2, err := parseSigParams(d2[i])
			if err != nil || sp2.serialized != sp.serialized || len(sp2.components) != len(sp.components) {
				t.Fatalf("signature params changed in the round trip: %+v vs %+v (%v)", sp, sp2, err)
			}
		}
	})
}
