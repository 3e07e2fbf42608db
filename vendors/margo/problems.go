package margo

import (
	"errors"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/digest"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// problemBase is the P1 problem registry (margo-api.md §1.1).
const problemBase = "https://docs.margo.org/specification/problems/"

// Margo P1 problem type URIs.
const (
	ProblemInvalidCertificateFormat     = document.ProblemInvalidCertificateFormat // 400
	ProblemInvalidDigestHeader          = digest.ProblemType                       // 400
	ProblemInvalidRequest               = document.ProblemInvalidRequest           // 400
	ProblemSignatureVerificationFailed  = signature.ProblemType                    // 401
	ProblemCertificateNotTrusted        = problemBase + "certificate-not-trusted"  // 403
	ProblemInvalidClient                = problemBase + "invalid-client"           // 404
	ProblemInvalidBundle                = problemBase + "invalid-bundle"           // 404
	ProblemDeploymentNotFound           = problemBase + "deployment-not-found"     // 404
	ProblemServerCannotGenerateResponse = problemBase + "server-cannot-generate-response"
	ProblemSemanticError                = document.ProblemSemanticError // 422
)

// typed returns err with the problem type uri when err carries code and has
// no type yet; any other error is returned unchanged. The manager's error is
// never modified (it may be shared): a typed copy with the same cause is
// returned instead.
func typed(err error, code fault.Code, uri string) error {
	var fe *fault.Error
	if err == nil || !errors.As(err, &fe) || fe.Code != code || fe.Type != "" {
		return err
	}
	return &fault.Error{
		Code:       fe.Code,
		Type:       uri,
		Title:      fe.Title,
		Detail:     fe.Detail,
		Violations: fe.Violations,
		Extensions: fe.Extensions,
		RetryAfter: fe.RetryAfter,
		Cause:      fe.Cause,
	}
}

// problem returns a new typed fault.
func problem(code fault.Code, uri, format string, args ...any) *fault.Error {
	return fault.New(code, format, args...).WithType(uri)
}
