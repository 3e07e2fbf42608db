package onboarding

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// NotBeforeSkew is how far in the future a device certificate's NotBefore
// may be (the device's clock, or its issuer's, running ahead of ours).
const NotBeforeSkew = 5 * time.Minute

// checkCertificate checks that cert is usable as a Margo client certificate
// at now: an RFC 5280 version 3 end-entity certificate within its validity
// period whose public key is ECDSA P-256/P-384, RSA of at least minRSABits,
// or Ed25519. It returns a BadRequest error of type
// invalid-certificate-format naming the first problem.
func checkCertificate(cert *x509.Certificate, now time.Time, minRSABits int) error {
	if cert == nil {
		return badCertificate("no certificate")
	}
	if cert.Version != 3 {
		return badCertificate("the certificate is X.509 version %d; version 3 is required (RFC 5280)", cert.Version)
	}
	if cert.BasicConstraintsValid && cert.IsCA {
		return badCertificate("the certificate is a CA certificate (basicConstraints cA=true); a client certificate must be an end-entity certificate")
	}
	if cert.KeyUsage&(x509.KeyUsageCertSign|x509.KeyUsageCRLSign) != 0 {
		return badCertificate("the certificate's key usage allows signing certificates or CRLs; a client certificate must be an end-entity certificate")
	}
	if now.Add(NotBeforeSkew).Before(cert.NotBefore) {
		return badCertificate("the certificate is not valid before %s (now %s)", cert.NotBefore.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if now.After(cert.NotAfter) {
		return badCertificate("the certificate expired at %s", cert.NotAfter.UTC().Format(time.RFC3339))
	}
	if len(cert.RawSubjectPublicKeyInfo) == 0 {
		return badCertificate("the certificate has an empty SubjectPublicKeyInfo")
	}
	return checkKey(cert, minRSABits)
}

// checkKey checks the certificate's public key type and size.
func checkKey(cert *x509.Certificate, minRSABits int) error {
	switch pub := cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		switch pub.Curve {
		case elliptic.P256(), elliptic.P384():
			return nil
		}
		return badCertificate("the certificate's ECDSA key is on curve %s; use P-256 or P-384", curveName(pub.Curve))
	case *rsa.PublicKey:
		if bits := pub.N.BitLen(); bits < minRSABits {
			return badCertificate("the certificate's RSA key has %d bits; at least %d are required", bits, minRSABits)
		}
		return nil
	case ed25519.PublicKey:
		return nil
	case nil:
		return badCertificate("the certificate's public key algorithm (%s) is not supported; use ECDSA P-256/P-384, RSA or Ed25519", cert.PublicKeyAlgorithm)
	default:
		return badCertificate("the certificate's %s key is not supported; use ECDSA P-256/P-384, RSA or Ed25519", cert.PublicKeyAlgorithm)
	}
}

func curveName(c elliptic.Curve) string {
	if c == nil || c.Params() == nil {
		return "unknown"
	}
	return c.Params().Name
}

// badCertificate is the 400 invalid-certificate-format error, with the
// detail also given as a violation of the request's "certificate" field (as
// document.ParseCertificate reports decoding problems).
func badCertificate(format string, args ...any) error {
	detail := fmt.Sprintf(format, args...)
	return (&fault.Error{
		Code:       fault.BadRequest,
		Detail:     detail,
		Violations: []fault.Violation{{Field: "certificate", Message: detail}},
	}).WithType(document.ProblemInvalidCertificateFormat)
}
