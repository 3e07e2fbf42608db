package signature

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
)

// KeyID is the Margo keyid of a client certificate: the lower-case hex
// SHA-256 of its DER SubjectPublicKeyInfo. It returns "" for a nil certificate.
func KeyID(cert *x509.Certificate) string {
	if cert == nil {
		return ""
	}
	return spkiKeyID(cert.RawSubjectPublicKeyInfo)
}

// KeyIDFromPublicKey is KeyID computed from a public key, for a signer that
// holds the key but not the certificate. Both give the same value.
func KeyIDFromPublicKey(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("keyid: %w", err)
	}
	return spkiKeyID(der), nil
}

func spkiKeyID(spki []byte) string {
	sum := sha256.Sum256(spki)
	return hex.EncodeToString(sum[:])
}
