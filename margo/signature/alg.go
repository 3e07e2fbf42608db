package signature

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// Algorithm names (RFC 9421 §6.2 registry, plus the Margo "rsa-pss-sha256").
const (
	AlgECDSAP256SHA256 = "ecdsa-p256-sha256"
	AlgECDSAP384SHA384 = "ecdsa-p384-sha384"
	AlgRSAV15SHA256    = "rsa-v1_5-sha256"
	AlgRSAPSSSHA512    = "rsa-pss-sha512"
	AlgRSAPSSSHA256    = "rsa-pss-sha256" // Margo spelling; RSA-PSS, SHA-256, 32-byte salt
)

// MinRSABits is the smallest RSA modulus accepted for signing and verifying.
const MinRSABits = 2048

// family is the key family an algorithm needs.
type family uint8

const (
	famECDSA family = iota + 1
	famRSAPKCS1
	famRSAPSS
)

// algorithm describes one signature algorithm.
type algorithm struct {
	name   string
	family family
	hash   crypto.Hash
	curve  string // ECDSA curve name ("P-256")
	size   int    // ECDSA scalar size in bytes (r and s each)
}

// lookupAlg returns the algorithm named name (a constant table).
func lookupAlg(name string) (algorithm, bool) {
	switch name {
	case AlgECDSAP256SHA256:
		return algorithm{name: name, family: famECDSA, hash: crypto.SHA256, curve: "P-256", size: 32}, true
	case AlgECDSAP384SHA384:
		return algorithm{name: name, family: famECDSA, hash: crypto.SHA384, curve: "P-384", size: 48}, true
	case AlgRSAV15SHA256:
		return algorithm{name: name, family: famRSAPKCS1, hash: crypto.SHA256}, true
	case AlgRSAPSSSHA512:
		return algorithm{name: name, family: famRSAPSS, hash: crypto.SHA512}, true
	case AlgRSAPSSSHA256:
		return algorithm{name: name, family: famRSAPSS, hash: crypto.SHA256}, true
	}
	return algorithm{}, false
}

// candidateAlgs lists the algorithms to try for pub, in order. With an alg
// parameter it is that algorithm after checking it fits the key; without one
// it is inferred from the key (for RSA: PKCS#1 v1.5 SHA-256, then PSS
// SHA-512, then PSS SHA-256).
func candidateAlgs(pub crypto.PublicKey, alg string) ([]algorithm, error) {
	if alg != "" {
		a, ok := lookupAlg(alg)
		if !ok {
			return nil, fmt.Errorf("unsupported algorithm %q", alg)
		}
		if err := a.checkKey(pub); err != nil {
			return nil, err
		}
		return []algorithm{a}, nil
	}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		name, err := ecdsaAlg(k)
		if err != nil {
			return nil, err
		}
		a, _ := lookupAlg(name)
		return []algorithm{a}, nil
	case *rsa.PublicKey:
		if err := checkRSA(k); err != nil {
			return nil, err
		}
		out := make([]algorithm, 0, 3)
		for _, n := range []string{AlgRSAV15SHA256, AlgRSAPSSSHA512, AlgRSAPSSSHA256} {
			a, _ := lookupAlg(n)
			out = append(out, a)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported public key type %T", pub)
}

// defaultAlg is the algorithm a signer uses for pub when none is configured.
func defaultAlg(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return ecdsaAlg(k)
	case *rsa.PublicKey:
		if err := checkRSA(k); err != nil {
			return "", err
		}
		return AlgRSAPSSSHA512, nil
	}
	return "", fmt.Errorf("unsupported public key type %T", pub)
}

func ecdsaAlg(k *ecdsa.PublicKey) (string, error) {
	//lint:ignore SA1019 only a nil check: ecdsa.Verify panics on a key without a point
	if k == nil || k.Curve == nil || k.X == nil || k.Y == nil {
		return "", errors.New("empty ECDSA public key")
	}
	switch k.Curve.Params().Name {
	case "P-256":
		return AlgECDSAP256SHA256, nil
	case "P-384":
		return AlgECDSAP384SHA384, nil
	}
	return "", fmt.Errorf("unsupported ECDSA curve %s", k.Curve.Params().Name)
}

func checkRSA(k *rsa.PublicKey) error {
	if k == nil || k.N == nil {
		return errors.New("empty RSA public key")
	}
	if k.N.BitLen() < MinRSABits {
		return fmt.Errorf("RSA key of %d bits is shorter than %d", k.N.BitLen(), MinRSABits)
	}
	return nil
}

// checkKey reports whether pub is a key a can use.
func (a algorithm) checkKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if a.family != famECDSA {
			return fmt.Errorf("algorithm %s does not match the ECDSA key", a.name)
		}
		name, err := ecdsaAlg(k)
		if err != nil {
			return err
		}
		if name != a.name {
			return fmt.Errorf("algorithm %s does not match the key's curve %s", a.name, k.Curve.Params().Name)
		}
		return nil
	case *rsa.PublicKey:
		if a.family == famECDSA {
			return fmt.Errorf("algorithm %s does not match the RSA key", a.name)
		}
		return checkRSA(k)
	}
	return fmt.Errorf("unsupported public key type %T", pub)
}

// hashOf returns the digest of msg under h (only the hashes in lookupAlg).
func hashOf(h crypto.Hash, msg []byte) []byte {
	switch h {
	case crypto.SHA384:
		s := sha512.Sum384(msg)
		return s[:]
	case crypto.SHA512:
		s := sha512.Sum512(msg)
		return s[:]
	}
	s := sha256.Sum256(msg)
	return s[:]
}

// sign signs base with key. ECDSA signatures are returned as raw r||s.
func (a algorithm) sign(key crypto.Signer, base []byte) ([]byte, error) {
	d := hashOf(a.hash, base)
	switch a.family {
	case famECDSA:
		der, err := key.Sign(rand.Reader, d, a.hash)
		if err != nil {
			return nil, fmt.Errorf("sign with %s: %w", a.name, err)
		}
		return ecdsaDERToRaw(der, a.size)
	case famRSAPKCS1:
		sig, err := key.Sign(rand.Reader, d, a.hash)
		if err != nil {
			return nil, fmt.Errorf("sign with %s: %w", a.name, err)
		}
		return sig, nil
	case famRSAPSS:
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: a.hash}
		sig, err := key.Sign(rand.Reader, d, opts)
		if err != nil {
			return nil, fmt.Errorf("sign with %s: %w", a.name, err)
		}
		return sig, nil
	}
	return nil, fmt.Errorf("unsupported algorithm %q", a.name)
}

// verify reports whether sig is a valid signature of base under pub. The key
// must already have passed checkKey or candidateAlgs. RSA-PSS accepts any
// salt length (signers use the hash length; a longer or shorter salt does not
// weaken the check).
func (a algorithm) verify(pub crypto.PublicKey, base, sig []byte) bool {
	d := hashOf(a.hash, base)
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if a.family != famECDSA || len(sig) != 2*a.size {
			return false // also rejects DER-encoded signatures
		}
		r := new(big.Int).SetBytes(sig[:a.size])
		s := new(big.Int).SetBytes(sig[a.size:])
		return ecdsa.Verify(k, d, r, s)
	case *rsa.PublicKey:
		switch a.family {
		case famRSAPKCS1:
			return rsa.VerifyPKCS1v15(k, a.hash, d, sig) == nil
		case famRSAPSS:
			opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: a.hash}
			return rsa.VerifyPSS(k, a.hash, d, sig, opts) == nil
		}
	}
	return false
}

// ecdsaDERToRaw converts an ASN.1 ECDSA-Sig-Value to fixed-width r||s.
func ecdsaDERToRaw(der []byte, size int) ([]byte, error) {
	var v struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &v)
	if err != nil {
		return nil, fmt.Errorf("decode ECDSA signature: %w", err)
	}
	if len(rest) > 0 || v.R == nil || v.S == nil || v.R.Sign() <= 0 || v.S.Sign() <= 0 ||
		v.R.BitLen() > size*8 || v.S.BitLen() > size*8 {
		return nil, errors.New("decode ECDSA signature: malformed r or s")
	}
	out := make([]byte, 2*size)
	v.R.FillBytes(out[:size])
	v.S.FillBytes(out[size:])
	return out, nil
}

// CheckAlg reports whether a client with public key pub can sign with the
// algorithm named alg: it must be one of the algorithms above and fit the
// key (family, curve, RSA size).
func CheckAlg(pub crypto.PublicKey, alg string) error {
	a, ok := lookupAlg(alg)
	if !ok {
		return fmt.Errorf("unsupported signature algorithm %q: use %s, %s, %s, %s or %s", alg,
			AlgECDSAP256SHA256, AlgECDSAP384SHA384, AlgRSAV15SHA256, AlgRSAPSSSHA256, AlgRSAPSSSHA512)
	}
	return a.checkKey(pub)
}
