package digest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
)

// ArtifactPrefix is the only algorithm prefix Margo artifact digests use.
const ArtifactPrefix = "sha256:"

// artifactHexLen is the length of the hex part of an artifact digest.
const artifactHexLen = 2 * sha256.Size

// Sha256 returns the Margo artifact digest of b: "sha256:" + 64 lower-case
// hex characters.
func Sha256(b []byte) string {
	sum := sha256.Sum256(b)
	return ArtifactPrefix + hex.EncodeToString(sum[:])
}

// ParseArtifact checks that s is exactly "sha256:" followed by 64 lower-case
// hex characters and returns the hex part. Other algorithms (sha512:...),
// upper-case hex and surrounding whitespace are rejected.
func ParseArtifact(s string) (string, error) {
	if len(s) != len(ArtifactPrefix)+artifactHexLen || s[:len(ArtifactPrefix)] != ArtifactPrefix {
		return "", fmt.Errorf("digest %.80q is not sha256:<64 lower-case hex>", s)
	}
	h := s[len(ArtifactPrefix):]
	for i := 0; i < len(h); i++ {
		if c := h[i]; !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f') {
			return "", fmt.Errorf("digest %.80q is not sha256:<64 lower-case hex>", s)
		}
	}
	return h, nil
}

// MatchArtifact reports whether d is a valid artifact digest of b, comparing
// in constant time.
func MatchArtifact(d string, b []byte) bool {
	if _, err := ParseArtifact(d); err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(d), []byte(Sha256(b))) == 1
}
