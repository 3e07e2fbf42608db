package signature

import (
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/cadenza-edge/cadenza/margo/digest"
	"github.com/cadenza-edge/cadenza/margo/sfv"
)

// Signer signs requests with one private key.
type Signer struct {
	// Key is the private key of the client certificate.
	Key crypto.Signer
	// KeyID is the keyid parameter; KeyIDFromPublicKey(Key.Public()) (the
	// Margo form, equal to KeyID of the certificate) when empty.
	KeyID string
	// Alg is the algorithm; derived from the key when empty: P-256 ->
	// ecdsa-p256-sha256, P-384 -> ecdsa-p384-sha384, RSA -> rsa-pss-sha512.
	Alg string
	// Label is the signature label; DefaultLabel ("sig1") when empty.
	Label string
	// Now is the clock for the created parameter; time.Now when nil.
	Now func() time.Time
	// OmitAlg leaves the alg parameter out of Signature-Input (it is
	// included by default).
	OmitAlg bool
}

// Sign signs m and returns the Signature-Input and Signature field values.
// The covered components are "@method", "@target-uri", "@authority" and, when
// the body is non-empty, "content-digest". A non-empty body gets a
// Content-Digest header (SHA-256) in m.Headers when it has none; an existing
// one must match the body.
func (s *Signer) Sign(m *Message) (signatureInput, signature string, err error) {
	if s == nil || s.Key == nil {
		return "", "", errors.New("signature: signer has no key")
	}
	if m == nil {
		return "", "", errors.New("signature: nil message")
	}
	a, keyID, err := s.resolve()
	if err != nil {
		return "", "", err
	}
	components := []string{ComponentMethod, ComponentTargetURI, ComponentAuthority}
	if len(m.Body) > 0 {
		if err := ensureDigest(m); err != nil {
			return "", "", err
		}
		components = append(components, ComponentContentDigest)
	}
	label := s.Label
	if label == "" {
		label = DefaultLabel
	}
	algParam := a.name
	if s.OmitAlg {
		algParam = ""
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	mem, err := buildSigParams(label, components, now().Unix(), keyID, algParam)
	if err != nil {
		return "", "", fmt.Errorf("signature: %w", err)
	}
	inner, err := sfv.SerializeInnerList(mem.List)
	if err != nil {
		return "", "", fmt.Errorf("signature: keyid or alg: %w", err)
	}
	base, err := signatureBase(m, components, inner)
	if err != nil {
		return "", "", fmt.Errorf("signature: %w", err)
	}
	sig, err := a.sign(s.Key, base)
	if err != nil {
		return "", "", fmt.Errorf("signature: %w", err)
	}
	signatureInput = label + "=" + string(inner)
	signature = label + "=:" + base64.StdEncoding.EncodeToString(sig) + ":"
	return signatureInput, signature, nil
}

// resolve returns the algorithm and keyid the signer uses.
func (s *Signer) resolve() (algorithm, string, error) {
	pub := s.Key.Public()
	name := s.Alg
	if name == "" {
		var err error
		if name, err = defaultAlg(pub); err != nil {
			return algorithm{}, "", fmt.Errorf("signature: %w", err)
		}
	}
	a, ok := lookupAlg(name)
	if !ok {
		return algorithm{}, "", fmt.Errorf("signature: unsupported algorithm %q", name)
	}
	if err := a.checkKey(pub); err != nil {
		return algorithm{}, "", fmt.Errorf("signature: %w", err)
	}
	keyID := s.KeyID
	if keyID == "" {
		var err error
		if keyID, err = KeyIDFromPublicKey(pub); err != nil {
			return algorithm{}, "", fmt.Errorf("signature: %w", err)
		}
	}
	return a, keyID, nil
}

// ensureDigest sets Content-Digest for m's body, or checks the one present.
func ensureDigest(m *Message) error {
	if v, ok := m.header(ComponentContentDigest); ok && trimOWS(v) != "" {
		if err := digest.Verify(v, m.Body); err != nil {
			return fmt.Errorf("signature: existing Content-Digest: %w", err)
		}
		return nil
	}
	if m.Headers == nil {
		m.Headers = make(map[string]string, 1)
	}
	m.Headers[ComponentContentDigest] = digest.Compute(m.Body)
	return nil
}
