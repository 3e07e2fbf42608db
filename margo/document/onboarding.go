package document

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// OnboardingRequest is the P1 POST /onboarding body. On input apiVersion is
// any non-empty string (the spec schemas type it as a free string) and kind
// is exactly OnboardingRequest; Cadenza writes OnboardingAPIVersion.
type OnboardingRequest struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Certificate is the client's X.509 certificate, base64-encoded: either
	// the DER bytes or the PEM text (the sandbox sends the latter).
	Certificate string `json:"certificate"`

	cert *x509.Certificate
}

// X509 returns the certificate parsed by ParseOnboardingRequest (nil on a
// value not made by it).
func (r *OnboardingRequest) X509() *x509.Certificate { return r.cert }

// OnboardingResponse is the 201 body of POST /onboarding.
type OnboardingResponse struct {
	ClientID string `json:"clientId"`
}

// ParseOnboardingRequest parses and validates an onboarding request,
// including the certificate. Unlike the other parsers it answers every
// problem with 400 (fault.BadRequest), as the P1 API and its conformance
// suite expect: Type ProblemInvalidRequest with violations for a bad envelope,
// ProblemInvalidCertificateFormat for a certificate that does not decode.
func ParseOnboardingRequest(body []byte) (*OnboardingRequest, error) {
	raw, vs, err := decodeBody(body, "onboarding request")
	if err != nil {
		return nil, err
	}
	req, err := finish[OnboardingRequest](body, raw, vs, schemaOnboarding, nil)
	if err != nil {
		if fe := fault.As(err); fe.Code == fault.Unprocessable {
			fe.Code, fe.Type = fault.BadRequest, ProblemInvalidRequest
		}
		return nil, err
	}
	if req.cert, err = ParseCertificate(req.Certificate); err != nil {
		return nil, err
	}
	return req, nil
}

// ParseCertificate decodes a base64 certificate as sent in an onboarding
// request: base64 (standard alphabet, padding optional) of DER bytes or of
// PEM text. It returns a 400 error with Type ProblemInvalidCertificateFormat
// when that fails.
func ParseCertificate(b64 string) (*x509.Certificate, error) {
	der, err := decodeBase64(b64)
	if err != nil {
		return nil, badCertificate(err, "certificate is not base64")
	}
	if trimmed := bytes.TrimSpace(der); bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		block, rest := pem.Decode(trimmed)
		if block == nil || block.Type != "CERTIFICATE" {
			return nil, badCertificate(errors.New("no CERTIFICATE block"), "certificate PEM is malformed")
		}
		if len(bytes.TrimSpace(rest)) != 0 {
			return nil, badCertificate(errors.New("data after the first PEM block"), "certificate PEM holds more than one block")
		}
		der = block.Bytes
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, badCertificate(err, "certificate is not a valid X.509 certificate")
	}
	return cert, nil
}

// decodeBase64 accepts the standard alphabet with or without padding.
func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func badCertificate(cause error, detail string) error {
	return (&fault.Error{
		Code:       fault.BadRequest,
		Detail:     detail,
		Violations: []fault.Violation{{Field: "certificate", Message: detail}},
		Cause:      cause,
	}).WithType(ProblemInvalidCertificateFormat)
}

// ParseOnboardingResponse parses the WFM's onboarding answer on the device
// side: clientId must be present, non-empty and URL-safe (it goes into every
// request path).
func ParseOnboardingResponse(body []byte) (*OnboardingResponse, error) {
	raw, vs, err := decodeBody(body, "onboarding response")
	if err != nil {
		return nil, err
	}
	return finish[OnboardingResponse](body, raw, vs, schemaOnboardingResponse, nil)
}
