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

// checkCertificate checks that cert is usable as a P1 Margo client
// certificate at now: an RFC 5280 version 3 certificate within its validity
// period whose public key is ECDSA P-256/P-384, RSA of at least minRSABits,
// or Ed25519. P1 asks for nothing more: a certificate that says it is a CA
// (basicConstraints cA=TRUE, or a key usage for signing certificates or
// CRLs), as `openssl req -x509` makes by default, is accepted with a
// warning unless endEntity requires an end-entity certificate (rc.3's MIAF
// rule). It returns the warnings, or a BadRequest error of type
// invalid-certificate-format naming the first problem.
func checkCertificate(cert *x509.Certificate, now time.Time, minRSABits int, endEntity bool) ([]string, error) {
	if cert == nil {
		return nil, badCertificate("no certificate")
	}
	if cert.Version != 3 {
		return nil, badCertificate("the certificate is X.509 version %d; version 3 is required (RFC 5280)", cert.Version)
	}
	var warnings []string
	for _, p := range []struct {
		bad  bool
		what string
	}{
		{cert.BasicConstraintsValid && cert.IsCA, "the certificate is a CA certificate (basicConstraints cA=true)"},
		{cert.KeyUsage&(x509.KeyUsageCertSign|x509.KeyUsageCRLSign) != 0, "the certificate's key usage allows signing certificates or CRLs"},
	} {
		if !p.bad {
			continue
		}
		if endEntity {
			return nil, badCertificate("%s; a client certificate must be an end-entity certificate (policy requireEndEntity)", p.what)
		}
		warnings = append(warnings, p.what+"; accepted in P1, but it should be an end-entity certificate")
	}
	if err := checkValidity(cert, now, minRSABits); err != nil {
		return nil, err
	}
	return warnings, nil
}

// checkValidity checks the validity period and the key.
func checkValidity(cert *x509.Certificate, now time.Time, minRSABits int) error {
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
