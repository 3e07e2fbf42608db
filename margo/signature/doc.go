// Package signature implements RFC 9421 HTTP Message Signatures as the Margo
// P1 profile uses them: a device signs every request to the Workload Fleet
// Manager with the private key of its X.509 certificate, covering "@method",
// "@target-uri", "@authority" and, when there is a body, the RFC 9530
// "content-digest" field; the WFM verifies with the certificate it holds for
// the client.
//
// Supported algorithms are ecdsa-p256-sha256, ecdsa-p384-sha384 (ECDSA
// signatures in the raw r||s form, never DER), rsa-v1_5-sha256 and
// rsa-pss-sha512 from the RFC 9421 registry, plus the Margo spelling
// rsa-pss-sha256. The keyid parameter is KeyID of the client certificate.
//
// The package is protocol neutral: Signer and Verifier work on a Message;
// SignRequest, Transport and FromRequest adapt net/http, FromEndpoint adapts
// the coa endpoint binding. Verification failures are *fault.Error values with
// code fault.Unauthorized and type document.ProblemSignatureVerificationFailed;
// Content-Digest failures are the digest package's fault.BadRequest errors,
// returned unchanged.
package signature

import (
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// Field names of the HTTP fields this package reads and writes.
const (
	FieldSignatureInput = "Signature-Input"
	FieldSignature      = "Signature"
	FieldContentDigest  = "Content-Digest"
)

// DefaultLabel is the signature label a Signer uses when none is set.
const DefaultLabel = "sig1"

// Input bounds enforced by Verify.
const (
	MaxHeaderLen    = 8 << 10 // bytes of Signature-Input or Signature
	MaxComponents   = 32      // covered components of one signature
	MaxSignatureLen = 1 << 10 // decoded signature bytes (RSA-8192 is 1024)
)

// Covered component identifiers used by the Margo profile.
const (
	ComponentMethod        = "@method"
	ComponentTargetURI     = "@target-uri"
	ComponentAuthority     = "@authority"
	ComponentPath          = "@path"
	ComponentQuery         = "@query"
	ComponentScheme        = "@scheme"
	ComponentRequestTarget = "@request-target"
	ComponentContentDigest = "content-digest"
	componentSigParams     = "@signature-params"
)

// reject returns a signature verification failure (401) with a detail.
func reject(format string, args ...any) *fault.Error {
	return fault.New(fault.Unauthorized, format, args...).WithType(document.ProblemSignatureVerificationFailed)
}

// constError is an error that can be a constant.
type constError string

func (e constError) Error() string { return string(e) }
