package document

import (
	"crypto/sha256"
	"encoding/hex"
)

// DigestPrefix is the only digest algorithm Margo allows.
const DigestPrefix = "sha256:"

// DigestOf returns the Margo digest of b: "sha256:" and 64 lowercase hex digits.
func DigestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return DigestPrefix + hex.EncodeToString(sum[:])
}

// IsDigest reports whether s is exactly "sha256:" followed by 64 lowercase hex
// digits, with nothing around it.
func IsDigest(s string) bool {
	if len(s) != len(DigestPrefix)+64 || s[:len(DigestPrefix)] != DigestPrefix {
		return false
	}
	for _, c := range []byte(s[len(DigestPrefix):]) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
