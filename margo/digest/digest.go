// Package digest implements the two digest forms Margo uses: the RFC 9530
// Content-Digest HTTP field, which carries a hash of the raw request body,
// and the artifact digest "sha256:<64 lowercase hex>" that names deployment
// YAML files and bundles.
//
// Content-Digest errors are *fault.Error values with code fault.BadRequest
// and type document.ProblemInvalidDigestHeader, as the Margo P1 profile
// prescribes (400).
package digest

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/sfv"
)

// MaxHeaderLen bounds the Content-Digest value Verify accepts.
const MaxHeaderLen = 8 << 10

// Content-Digest algorithm keys (RFC 9530 §5).
const (
	AlgSHA256 = "sha-256"
	AlgSHA512 = "sha-512"
)

// Compute returns the Content-Digest value of body: sha-256=:<base64>:.
func Compute(body []byte) string {
	sum := sha256.Sum256(body)
	return AlgSHA256 + "=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
}

// Verify checks a Content-Digest field value against body. The value is an
// RFC 8941 dictionary of byte sequences; sha-256 and sha-512 members are
// checked (every one present must match), unknown algorithms are ignored,
// and at least one supported member is required.
func Verify(header string, body []byte) error {
	header = strings.Trim(header, " \t")
	if header == "" {
		return invalid("missing or empty Content-Digest header")
	}
	if len(header) > MaxHeaderLen {
		return invalid("Content-Digest header is longer than %d bytes", MaxHeaderLen)
	}
	members, err := sfv.ParseDictionary(header)
	if err != nil {
		return invalid("malformed Content-Digest header: %v", err)
	}
	checked := 0
	for _, m := range members {
		var want []byte
		switch m.Key {
		case AlgSHA256:
			s := sha256.Sum256(body)
			want = s[:]
		case AlgSHA512:
			s := sha512.Sum512(body)
			want = s[:]
		default:
			continue
		}
		value := m.Item.Value
		if m.IsList || value.Kind != sfv.KindBytes {
			return invalid("malformed Content-Digest header: %s is not a byte sequence", m.Key)
		}
		if len(value.Bytes) != len(want) {
			return invalid("malformed Content-Digest header: %s has %d bytes, want %d", m.Key, len(value.Bytes), len(want))
		}
		if subtle.ConstantTimeCompare(value.Bytes, want) != 1 {
			return invalid("Content-Digest %s does not match the request body", m.Key)
		}
		checked++
	}
	if checked == 0 {
		return invalid("Content-Digest has no supported algorithm (want %s or %s)", AlgSHA256, AlgSHA512)
	}
	return nil
}

// invalid returns an invalid-digest-header problem (400).
func invalid(format string, args ...any) *fault.Error {
	return fault.New(fault.BadRequest, format, args...).WithType(document.ProblemInvalidDigestHeader)
}
