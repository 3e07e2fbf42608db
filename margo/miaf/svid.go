package miaf

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
)

// MinRSABits is the smallest RSA key an SVID may carry.
const MinRSABits = 3072

// CheckLeaf checks what Margo requires of an X.509-SVID leaf, beyond its
// chain: cA=false, no keyCertSign or cRLSign, exactly one URI SAN holding
// a Margo SPIFFE ID, within its validity period at now, and an ECDSA P-256
// or P-384, Ed25519 or RSA (3072 bits or more) key.
func CheckLeaf(leaf *x509.Certificate, now time.Time) (Identity, error) {
	if leaf == nil {
		return Identity{}, fmt.Errorf("miaf: no certificate")
	}
	switch {
	case leaf.BasicConstraintsValid && leaf.IsCA:
		return Identity{}, fmt.Errorf("miaf: the SVID is a CA certificate (cA=true)")
	case leaf.KeyUsage&(x509.KeyUsageCertSign|x509.KeyUsageCRLSign) != 0:
		return Identity{}, fmt.Errorf("miaf: the SVID's key usage allows signing certificates or CRLs")
	case now.Before(leaf.NotBefore):
		return Identity{}, fmt.Errorf("miaf: the SVID is not valid before %s", leaf.NotBefore.UTC().Format(time.RFC3339))
	case now.After(leaf.NotAfter):
		return Identity{}, fmt.Errorf("miaf: the SVID expired at %s", leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	if err := CheckKey(leaf.PublicKey); err != nil {
		return Identity{}, err
	}
	id, err := x509svid.IDFromCert(leaf)
	if err != nil {
		return Identity{}, fmt.Errorf("miaf: %w", err)
	}
	return FromID(id)
}

// CheckKey checks that an SVID's public key is of an allowed type and size:
// ECDSA P-256 (mandatory) or P-384, Ed25519, or RSA of MinRSABits or more.
func CheckKey(pub any) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() || k.Curve == elliptic.P384() {
			return nil
		}
		return fmt.Errorf("miaf: the SVID's ECDSA key is not on P-256 or P-384")
	case ed25519.PublicKey:
		return nil
	case *rsa.PublicKey:
		if k.N.BitLen() >= MinRSABits {
			return nil
		}
		return fmt.Errorf("miaf: the SVID's RSA key has %d bits; at least %d are required", k.N.BitLen(), MinRSABits)
	}
	return fmt.Errorf("miaf: the SVID's %T key is not allowed: use ECDSA P-256 (or P-384, Ed25519, RSA 3072+)", pub)
}

// Verify checks an SVID chain (leaf first) against the trust bundle at
// now, then the Margo leaf rules (CheckLeaf), and returns the identity.
// The identity must be in the bundle's trust domain.
func Verify(chain []*x509.Certificate, b *Bundle, now time.Time) (Identity, error) {
	if len(chain) == 0 {
		return Identity{}, fmt.Errorf("miaf: no client certificate")
	}
	id, err := CheckLeaf(chain[0], now)
	if err != nil {
		return Identity{}, err
	}
	if id.TrustDomain != b.TrustDomain() {
		return Identity{}, fmt.Errorf("miaf: the SVID is of trust domain %s, not %s", id.TrustDomain, b.TrustDomain())
	}
	if _, _, err := x509svid.Verify(chain, b.X509Bundle(), x509svid.WithTime(now)); err != nil {
		return Identity{}, fmt.Errorf("miaf: %w", err)
	}
	return id, nil
}
