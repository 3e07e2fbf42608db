package document

import "strings"

// problemBase is the P1 problem registry (margo-api.md §1.1): a problem
// type URI is problemBase + <name>. P2 uses
// https://docs.margo.org/specification/problem-types#<name>; a binding may
// map between the two.
const problemBase = "https://docs.margo.org/specification/problems/"

// Problem type URIs of the P1 registry, with the status each goes with.
// They are defined here only: the parsers, digest and signature checks,
// managers and vendors all type their *fault.Error values with these.
const (
	// ProblemInvalidRequest: a body that cannot be parsed, a bad request (400).
	ProblemInvalidRequest = problemBase + "invalid-request"
	// ProblemInvalidCertificateFormat: an onboarding certificate that does
	// not decode or cannot be used (400).
	ProblemInvalidCertificateFormat = problemBase + "invalid-certificate-format"
	// ProblemInvalidDigestHeader: a missing, malformed or wrong
	// Content-Digest (400).
	ProblemInvalidDigestHeader = problemBase + "invalid-digest-header"
	// ProblemSignatureVerificationFailed: a request without a valid RFC 9421
	// signature (401).
	ProblemSignatureVerificationFailed = problemBase + "signature-verification-failed"
	// ProblemCertificateNotTrusted: a client or certificate the WFM does not
	// (or no longer) trust (403).
	ProblemCertificateNotTrusted = problemBase + "certificate-not-trusted"
	// ProblemInvalidClient: an unknown clientId, or a child device reported
	// before its gateway (404); also a malformed clientId (400).
	ProblemInvalidClient = problemBase + "invalid-client"
	// ProblemDeviceNotFound: an unknown device (404).
	ProblemDeviceNotFound = problemBase + "device-not-found"
	// ProblemDeploymentNotFound: an unknown deployment or deployment YAML (404).
	ProblemDeploymentNotFound = problemBase + "deployment-not-found"
	// ProblemInvalidBundle: a bundle the server cannot serve (404).
	ProblemInvalidBundle = problemBase + "invalid-bundle"
	// ProblemServerCannotGenerateResponse: no acceptable representation (406).
	ProblemServerCannotGenerateResponse = problemBase + "server-cannot-generate-response"
	// ProblemSemanticError: a document that parses but is not valid (422).
	ProblemSemanticError = problemBase + "semantic-error"
)

// problemBaseP2 is the rc.3 (P2) problem registry (margo-api.md §2.2).
const problemBaseP2 = "https://docs.margo.org/specification/problem-types#"

// Problem types of the rc.3 registry that have no P1 counterpart.
const (
	// ProblemNotAuthorizedP2: no client certificate, one that is not an
	// SVID of this WFM, or a client the WFM no longer accepts (403).
	ProblemNotAuthorizedP2 = problemBaseP2 + "not-authorized"
	// ProblemGatewayNotFoundP2: a child device reported before its gateway (404).
	ProblemGatewayNotFoundP2 = problemBaseP2 + "gateway-not-found"
)

// P2Type returns the rc.3 form of a problem type: a P1 registry URI is
// mapped to the P2 registry (same name); anything else is returned as is.
func P2Type(uri string) string {
	if name, ok := strings.CutPrefix(uri, problemBase); ok {
		return problemBaseP2 + name
	}
	return uri
}
