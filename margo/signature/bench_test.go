package signature

import (
	"bytes"
	"testing"
)

// benchVerify measures Verify (parse, digest of the body, rebuild the base,
// check the signature) for one signed request.
func benchVerify(b *testing.B, keyPEM string, body []byte) {
	key := parseKey(b, keyPEM)
	m := testMessage(body)
	in, sig, err := (&Signer{Key: key, Now: testNow}).Sign(m)
	if err != nil {
		b.Fatal(err)
	}
	v := &Verifier{Now: testNow}
	pub := key.Public()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(m, in, sig, pub); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyECDSAP256 is the per-request verification cost with a
// 1 KiB body.
func BenchmarkVerifyECDSAP256(b *testing.B) {
	benchVerify(b, testKeyP256, bytes.Repeat([]byte("m"), 1024))
}

// BenchmarkVerifyRSA2048 is the same with an RSA-2048 key (rsa-pss-sha512).
func BenchmarkVerifyRSA2048(b *testing.B) {
	benchVerify(b, testKeyRSA2048, bytes.Repeat([]byte("m"), 1024))
}

// BenchmarkSignECDSAP256 is the per-request signing cost (Content-Digest
// included) with a 1 KiB body.
func BenchmarkSignECDSAP256(b *testing.B) {
	key := parseKey(b, testKeyP256)
	m := testMessage(bytes.Repeat([]byte("m"), 1024))
	s := &Signer{Key: key, Now: testNow}
	b.SetBytes(int64(len(m.Body)))
	b.ReportAllocs()
	for b.Loop() {
		delete(m.Headers, ComponentContentDigest)
		if _, _, err := s.Sign(m); err != nil {
			b.Fatal(err)
		}
	}
}
