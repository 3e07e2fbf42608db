package signature

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/digest"
	"github.com/cadenza-edge/cadenza/margo/document"
)

const testBody = `{"apiVersion":"deployment.margo.org/v1alpha1","kind":"DeploymentStatus"}`

// TestSignVerifyRoundTrip: every supported algorithm (and the Margo
// rsa-pss-sha256 spelling) signs and verifies, with and without a body, with
// and without the alg parameter.
func TestSignVerifyRoundTrip(t *testing.T) {
	p256 := parseKey(t, testKeyP256)
	p384 := parseKey(t, testKeyP384)
	rsaKey := parseKey(t, testKeyRSA2048)
	tests := []struct {
		name    string
		key     crypto.Signer
		alg     string
		omitAlg bool
		wantAlg string
	}{
		{"ecdsa-p256-sha256 derived from key", p256, "", false, AlgECDSAP256SHA256},
		{"ecdsa-p384-sha384 derived from key", p384, "", false, AlgECDSAP384SHA384},
		{"rsa-pss-sha512 is the RSA default", rsaKey, "", false, AlgRSAPSSSHA512},
		{"rsa-v1_5-sha256", rsaKey, AlgRSAV15SHA256, false, AlgRSAV15SHA256},
		{"rsa-pss-sha256 Margo spelling", rsaKey, AlgRSAPSSSHA256, false, AlgRSAPSSSHA256},
		{"ecdsa-p256 without alg is inferred", p256, "", true, AlgECDSAP256SHA256},
		{"ecdsa-p384 without alg is inferred", p384, "", true, AlgECDSAP384SHA384},
		{"rsa-v1_5 without alg is inferred", rsaKey, AlgRSAV15SHA256, true, AlgRSAV15SHA256},
		{"rsa-pss-sha512 without alg is inferred", rsaKey, AlgRSAPSSSHA512, true, AlgRSAPSSSHA512},
		{"rsa-pss-sha256 without alg is inferred", rsaKey, AlgRSAPSSSHA256, true, AlgRSAPSSSHA256},
	}
	for _, tt := range tests {
		for _, body := range [][]byte{nil, []byte(testBody)} {
			name := tt.name + "/no body"
			if body != nil {
				name = tt.name + "/body"
			}
			t.Run(name, func(t *testing.T) {
				s := &Signer{Key: tt.key, Alg: tt.alg, OmitAlg: tt.omitAlg, Now: testNow}
				m := testMessage(body)
				in, sig, err := s.Sign(m)
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Contains(in, `;alg="`); got == tt.omitAlg {
					t.Errorf("Signature-Input %q: alg present = %v, want %v", in, got, !tt.omitAlg)
				}
				v := &Verifier{Now: testNow}
				res, err := v.Verify(m, in, sig, tt.key.Public())
				if err != nil {
					t.Fatalf("Verify: %v\ninput: %s", err, in)
				}
				wantKeyID, _ := KeyIDFromPublicKey(tt.key.Public())
				wantCovered := "@method @target-uri @authority"
				if body != nil {
					wantCovered += " content-digest"
				}
				if res.Label != DefaultLabel || res.Alg != tt.wantAlg || res.KeyID != wantKeyID ||
					!res.Created.Equal(testNow()) || strings.Join(res.Covered, " ") != wantCovered {
					t.Errorf("Result = %+v, want label sig1 alg %s keyid %s covered %q", res, tt.wantAlg, wantKeyID, wantCovered)
				}
				if body != nil && m.Headers["content-digest"] != digest.Compute(body) {
					t.Errorf("Content-Digest = %q, want %q", m.Headers["content-digest"], digest.Compute(body))
				}
				if body == nil && m.Headers["content-digest"] != "" {
					t.Errorf("bodiless request got Content-Digest %q", m.Headers["content-digest"])
				}
			})
		}
	}
}

// signedFixture is a signed P-256 request plus its fields.
type signedFixture struct {
	m       *Message
	in, sig string
	pub     crypto.PublicKey
}

func newFixture(t testing.TB, body []byte) signedFixture {
	t.Helper()
	key := parseKey(t, testKeyP256)
	m := testMessage(body)
	in, sig, err := (&Signer{Key: key, Now: testNow}).Sign(m)
	if err != nil {
		t.Fatal(err)
	}
	return signedFixture{m: m, in: in, sig: sig, pub: key.Public()}
}

// reencodeSignature replaces the signature bytes of a "sig1=:...:" value.
func reencodeSignature(t testing.TB, sig string, f func([]byte) []byte) string {
	t.Helper()
	label, rest, _ := strings.Cut(sig, "=")
	raw, err := base64.StdEncoding.DecodeString(strings.Trim(rest, ":"))
	if err != nil {
		t.Fatal(err)
	}
	return label + "=:" + base64.StdEncoding.EncodeToString(f(raw)) + ":"
}

// TestVerifyRejects: each tampering or malformed input fails with the
// right code (401 signature, 400 digest) and a detail naming the check.
func TestVerifyRejects(t *testing.T) {
	other := []byte(`{"tampered":true}`)
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sigErr := func(detail string) (fault.Code, string, string) {
		return fault.Unauthorized, document.ProblemSignatureVerificationFailed, detail
	}
	digErr := func(detail string) (fault.Code, string, string) {
		return fault.BadRequest, document.ProblemInvalidDigestHeader, detail
	}
	type want struct {
		code   fault.Code
		typ    string
		detail string
	}
	w := func(c fault.Code, typ, d string) want { return want{c, typ, d} }
	tests := []struct {
		name   string
		body   []byte // nil: use testBody
		mutate func(t *testing.T, f *signedFixture, v *Verifier)
		want   want
	}{
		{"tampered method", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.m.Method = "PUT" },
			w(sigErr("bad signature"))},
		{"tampered target URI", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.m.TargetURI += "?all=1" },
			w(sigErr("bad signature"))},
		{"tampered authority", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.m.Authority = "evil.example.com" },
			w(sigErr("bad signature"))},
		{"tampered body is a digest mismatch", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.m.Body = other },
			w(digErr("does not match the request body"))},
		{"tampered body with matching digest fails the signature", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.m.Body = other
			f.m.Headers["content-digest"] = digest.Compute(other)
		}, w(sigErr("bad signature"))},
		{"tampered digest header", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.m.Headers["content-digest"] = digest.Compute(other)
		}, w(digErr("does not match the request body"))},
		{"missing digest header", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			delete(f.m.Headers, "content-digest")
		}, w(digErr("missing or empty Content-Digest"))},
		{"tampered signature", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.sig = reencodeSignature(t, f.sig, func(b []byte) []byte { b[10] ^= 1; return b })
		}, w(sigErr("bad signature"))},
		{"signature checked with another key", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.pub = otherKey.Public() },
			w(sigErr("bad signature"))},
		{"created too old", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			v.Now = func() time.Time { return testNow().Add(DefaultWindow + time.Second) }
		}, w(sigErr("too old"))},
		{"created in the future", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			v.Now = func() time.Time { return testNow().Add(-DefaultSkew - time.Second) }
		}, w(sigErr("in the future"))},
		{"created missing", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.in = strings.Replace(f.in, ";created=1700000000", "", 1)
		}, w(sigErr("no created parameter"))},
		{"created not an integer", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.in = strings.Replace(f.in, ";created=1700000000", `;created="1700000000"`, 1)
		}, w(sigErr("created must be a non-negative integer"))},
		{"expired", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.in += ";expires=1699999999"
		}, w(sigErr("expired"))},
		{"missing Signature header", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.sig = "" },
			w(sigErr("missing Signature header"))},
		{"missing Signature-Input header", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.in = "  " },
			w(sigErr("missing Signature-Input header"))},
		{"malformed Signature-Input", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.in = `sig1=("@method"` },
			w(sigErr("malformed Signature-Input header"))},
		{"Signature-Input member is not an inner list", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.in = `sig1="@method"` },
			w(sigErr("not an inner list"))},
		{"malformed Signature", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.sig = "sig1=:not base64!:" },
			w(sigErr("malformed Signature header"))},
		{"Signature value is not a byte sequence", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.sig = `sig1="abc"` },
			w(sigErr("not a byte sequence"))},
		{"Signature label mismatch", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.sig = "sig2" + strings.TrimPrefix(f.sig, "sig1")
		}, w(sigErr(`no value for label "sig1"`))},
		{"empty signature", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.sig = "sig1=::" },
			w(sigErr("is empty"))},
		{"alg does not match the key's curve", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.pub = parseKey(t, testKeyP384).Public()
		}, w(sigErr("does not match the key's curve"))},
		{"ECDSA alg with an RSA key", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.pub = parseKey(t, testKeyRSA2048).Public()
		}, w(sigErr("does not match the RSA key"))},
		{"unsupported alg", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.in = strings.Replace(f.in, `alg="ecdsa-p256-sha256"`, `alg="hmac-sha256"`, 1)
		}, w(sigErr(`unsupported algorithm "hmac-sha256"`))},
		{"unsupported key type", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.in = strings.Replace(f.in, `;alg="ecdsa-p256-sha256"`, "", 1)
			f.pub = []byte("not a key")
		}, w(sigErr("unsupported public key type"))},
		{"short RSA key", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.in = strings.Replace(f.in, `;alg="ecdsa-p256-sha256"`, "", 1)
			f.pub = parseKey(t, testKeyRSA1024).Public()
		}, w(sigErr("shorter than 2048"))},
		{"DER-encoded ECDSA signature", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.sig = reencodeSignature(t, f.sig, func(raw []byte) []byte {
				der, err := asn1.Marshal(struct{ R, S *big.Int }{
					new(big.Int).SetBytes(raw[:32]), new(big.Int).SetBytes(raw[32:]),
				})
				if err != nil {
					t.Fatal(err)
				}
				return der
			})
		}, w(sigErr("bad signature"))},
		{"required component not covered", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			v.Required = []string{"@method", "@target-uri", "@authority", "content-type"}
		}, w(sigErr("does not cover required component(s) content-type"))},
		{"body added to a bodiless signature", []byte{}, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.m.Body = other
			f.m.Headers["content-digest"] = digest.Compute(other)
		}, w(sigErr("does not cover required component(s) content-digest"))},
		{"body without Content-Digest is a 400", []byte{}, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.m.Body = other
		}, w(digErr("missing or empty Content-Digest"))},
		{"labelled signature absent", nil, func(t *testing.T, f *signedFixture, v *Verifier) { v.Label = "margo" },
			w(sigErr(`no signature labelled "margo"`))},
		{"keyid is not the client's", nil, func(t *testing.T, f *signedFixture, v *Verifier) { v.KeyID = "0123" },
			w(sigErr("is not the client's key"))},
		{"Signature-Input longer than 8 KiB", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.in += `, pad="` + strings.Repeat("a", MaxHeaderLen) + `"`
		}, w(sigErr("longer than 8192 bytes"))},
		{"Signature longer than 8 KiB", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.sig += ", pad=:" + strings.Repeat("AAAA", MaxHeaderLen/4) + ":"
		}, w(sigErr("longer than 8192 bytes"))},
		{"signature longer than 1 KiB", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.sig = "sig1=:" + base64.StdEncoding.EncodeToString(make([]byte, MaxSignatureLen+1)) + ":"
		}, w(sigErr("longer than 1024 bytes"))},
		{"more than 32 components", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			var b strings.Builder
			b.WriteString(`sig1=("@method" "@target-uri" "@authority" "content-digest"`)
			for i := range MaxComponents {
				b.WriteString(` "x-h` + strings.Repeat("a", i+1) + `"`)
			}
			b.WriteString(");created=1700000000")
			f.in = b.String()
		}, w(sigErr("more than 32"))},
		{"component listed twice", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.in = strings.Replace(f.in, `"@method"`, `"@method" "@method"`, 1)
		}, w(sigErr("listed twice"))},
		{"component with parameters", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.in = strings.Replace(f.in, `"@authority"`, `"@authority";req`, 1)
		}, w(sigErr("component parameters are not supported"))},
		{"upper-case component name", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.in = strings.Replace(f.in, `"content-digest"`, `"Content-Digest"`, 1)
		}, w(sigErr("invalid component identifier"))},
		{"unsupported derived component", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.in = strings.Replace(f.in, `"@authority"`, `"@authority" "@status"`, 1)
		}, w(sigErr(`component "@status" is not supported`))},
		{"covered field absent", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.in = strings.Replace(f.in, `"@authority"`, `"@authority" "x-missing"`, 1)
		}, w(sigErr(`covered field "x-missing" is absent`))},
		{"relative target URI", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.m.TargetURI = "/api/v1" },
			w(sigErr("is not absolute"))},
		{"ECDSA key without a point", nil, func(t *testing.T, f *signedFixture, v *Verifier) {
			f.pub = &ecdsa.PublicKey{Curve: elliptic.P256()}
		}, w(sigErr("empty ECDSA public key"))},
		{"no public key", nil, func(t *testing.T, f *signedFixture, v *Verifier) { f.pub = nil },
			w(fault.Internal, "", "no public key")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if body == nil {
				body = []byte(testBody)
			}
			if len(body) == 0 {
				body = nil
			}
			f := newFixture(t, body)
			v := &Verifier{Now: testNow}
			tt.mutate(t, &f, v)
			res, err := v.Verify(f.m, f.in, f.sig, f.pub)
			if err == nil {
				t.Fatalf("Verify succeeded (%+v), want error", res)
			}
			wantFault(t, err, tt.want.code, tt.want.typ, tt.want.detail)
		})
	}
}

// TestVerifyCreatedWindow: created must lie in [now-Window, now+Skew].
func TestVerifyCreatedWindow(t *testing.T) {
	tests := []struct {
		name   string
		age    time.Duration // now - created
		window time.Duration
		skew   time.Duration
		ok     bool
	}{
		{"fresh", 0, 0, 0, true},
		{"just inside the default window", DefaultWindow, 0, 0, true},
		{"just outside the default window", DefaultWindow + time.Second, 0, 0, false},
		{"just inside the default skew", -DefaultSkew, 0, 0, true},
		{"just outside the default skew", -DefaultSkew - time.Second, 0, 0, false},
		{"outside a custom window", 61 * time.Second, time.Minute, 0, false},
		{"inside a custom skew", -2 * time.Minute, 0, 3 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			v := &Verifier{Window: tt.window, Skew: tt.skew, Now: func() time.Time { return testNow().Add(tt.age) }}
			_, err := v.Verify(f.m, f.in, f.sig, f.pub)
			if (err == nil) != tt.ok {
				t.Fatalf("Verify error = %v, want ok = %v", err, tt.ok)
			}
		})
	}
}

// TestVerifySelectsSignature: with several signatures the first one that
// covers the required components is verified, unless a label is given.
func TestVerifySelectsSignature(t *testing.T) {
	f := newFixture(t, []byte(testBody))
	in := `other=("@method");created=1700000000, ` + f.in
	sig := "other=:AAAA:, " + f.sig
	tests := []struct {
		name      string
		label     string
		in, sig   string
		wantLabel string
		wantErr   string
	}{
		{"first covering label wins", "", in, sig, "sig1", ""},
		{"whitespace around members is tolerated", "", "  " + strings.ReplaceAll(in, ", ", " ,\t ") + " ", " " + sig + "\t", "sig1", ""},
		{"explicit label", "sig1", in, sig, "sig1", ""},
		{"explicit label that does not cover", "other", in, sig, "", "does not cover required component(s) @target-uri, @authority, content-digest"},
		{"no label covers", "", `other=("@method");created=1700000000`, "other=:AAAA:", "", `signature "other" does not cover`},
		{"malformed member skipped", "", `bad=("@method" "@method"), ` + f.in, f.sig, "sig1", ""},
		{"only malformed members", "", `bad=("@method" "@method")`, f.sig, "", "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &Verifier{Now: testNow, Label: tt.label}
			res, err := v.Verify(f.m, tt.in, tt.sig, f.pub)
			if tt.wantErr != "" {
				wantFault(t, err, fault.Unauthorized, document.ProblemSignatureVerificationFailed, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Label != tt.wantLabel {
				t.Errorf("label = %q, want %q", res.Label, tt.wantLabel)
			}
		})
	}
}

// TestVerifyNeverPanicsOnNil: nil receivers and messages are errors.
func TestVerifyNeverPanicsOnNil(t *testing.T) {
	var v *Verifier
	_, err := v.Verify(nil, "a", "b", parseKey(t, testKeyP256).Public())
	wantFault(t, err, fault.Unauthorized, document.ProblemSignatureVerificationFailed, "no request")
	var s *Signer
	if _, _, err := s.Sign(testMessage(nil)); err == nil {
		t.Error("nil Signer signed")
	}
}

// TestSignerOptions: label, alg, keyid and Content-Digest handling of Signer.
func TestSignerOptions(t *testing.T) {
	p256 := parseKey(t, testKeyP256)
	tests := []struct {
		name    string
		signer  *Signer
		prepare func(m *Message)
		check   func(t *testing.T, m *Message, in string)
		wantErr string
	}{
		{name: "custom label", signer: &Signer{Key: p256, Label: "margo", Now: testNow},
			check: func(t *testing.T, m *Message, in string) {
				if !strings.HasPrefix(in, "margo=(") {
					t.Errorf("input = %q", in)
				}
			}},
		{name: "explicit keyid", signer: &Signer{Key: p256, KeyID: "client-7", Now: testNow},
			check: func(t *testing.T, m *Message, in string) {
				if !strings.Contains(in, `;keyid="client-7"`) {
					t.Errorf("input = %q", in)
				}
			}},
		{name: "existing sha-512 Content-Digest is kept", signer: &Signer{Key: p256, Now: testNow},
			prepare: func(m *Message) {
				m.Headers["content-digest"] = "sha-512=:" + sha512B64(m.Body) + ":"
			},
			check: func(t *testing.T, m *Message, in string) {
				if !strings.HasPrefix(m.Headers["content-digest"], "sha-512=") {
					t.Errorf("Content-Digest = %q", m.Headers["content-digest"])
				}
			}},
		{name: "wrong existing Content-Digest", signer: &Signer{Key: p256, Now: testNow},
			prepare: func(m *Message) { m.Headers["content-digest"] = digest.Compute([]byte("x")) },
			wantErr: "existing Content-Digest"},
		{name: "nil headers get a Content-Digest", signer: &Signer{Key: p256, Now: testNow},
			prepare: func(m *Message) { m.Headers = nil }},
		{name: "alg that does not fit the key", signer: &Signer{Key: p256, Alg: AlgRSAPSSSHA512},
			wantErr: "does not match the ECDSA key"},
		{name: "unknown alg", signer: &Signer{Key: p256, Alg: "ed25519"}, wantErr: "unsupported algorithm"},
		{name: "P-521 is not supported", signer: &Signer{Key: parseKey(t, testKeyP521)}, wantErr: "unsupported ECDSA curve P-521"},
		{name: "RSA-1024 is too short", signer: &Signer{Key: parseKey(t, testKeyRSA1024)}, wantErr: "shorter than 2048"},
		{name: "invalid label", signer: &Signer{Key: p256, Label: "Sig1"}, wantErr: "invalid signature label"},
		{name: "keyid that is no sf-string", signer: &Signer{Key: p256, KeyID: "a\nb"}, wantErr: "keyid or alg"},
		{name: "no key", signer: &Signer{}, wantErr: "no key"},
		{name: "bad method", signer: &Signer{Key: p256}, prepare: func(m *Message) { m.Method = "GET X" }, wantErr: "invalid method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage([]byte(testBody))
			if tt.prepare != nil {
				tt.prepare(m)
			}
			in, sig, err := tt.signer.Sign(m)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Sign error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, m, in)
			}
			v := &Verifier{Now: testNow, Label: tt.signer.Label}
			if v.Label == "" {
				v.Label = DefaultLabel
			}
			if _, err := v.Verify(m, in, sig, tt.signer.Key.Public()); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}
