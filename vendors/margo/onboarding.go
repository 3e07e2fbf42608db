package margo

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/digest"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// caCertificate serves GET {prefix}/onboarding/certificate (unauthenticated):
// 200 {"certificate": base64 of the CA's PEM text}, as the sandbox encodes it.
func (v *Vendor) caCertificate(context.Context, *endpoint.Request) (*endpoint.Response, error) {
	ca := v.onboarding.CACertificate()
	if ca == nil {
		return nil, fault.New(fault.Unavailable, "the WFM has no certificate authority yet")
	}
	pemText := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})
	return endpoint.Encode(http.StatusOK, struct {
		Certificate string `json:"certificate"`
	}{base64.StdEncoding.EncodeToString(pemText)})
}

// onboard serves POST {prefix}/onboarding: parse the OnboardingRequest (400
// for every problem; 415 for an explicit non-JSON content type), check a
// Content-Digest when one is sent (400), verify the request signature
// against the certificate in the body when the request is signed (401), or
// refuse an unsigned request when requireSignedOnboarding is set (401), then
// onboard: 201 {"clientId"}. The manager's refusal is 403.
func (v *Vendor) onboard(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	if err := requireJSON(req); err != nil {
		return nil, err
	}
	if req.Metadata.Has(signature.FieldContentDigest) {
		if err := digest.Verify(req.Metadata.Get(signature.FieldContentDigest), req.Body); err != nil {
			return nil, err
		}
	}
	r, err := document.ParseOnboardingRequest(req.Body)
	if err != nil {
		return nil, err
	}
	cert := r.X509()
	if err := v.checkOnboardingSignature(req, cert); err != nil {
		return nil, err
	}
	client, err := v.onboarding.Onboard(ctx, cert)
	if err != nil {
		err = typed(err, fault.BadRequest, document.ProblemInvalidCertificateFormat)
		return nil, typed(err, fault.Forbidden, document.ProblemCertificateNotTrusted)
	}
	v.log.Info("client onboarded", "clientId", client.ID, "state", client.State, "subject", client.Subject)
	body, err := json.Marshal(document.OnboardingResponse{ClientID: client.ID})
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "encode response")
	}
	return endpoint.JSON(http.StatusCreated, body), nil
}

// checkOnboardingSignature verifies a signed onboarding request with the
// certificate it carries, and refuses an unsigned one when configured to.
func (v *Vendor) checkOnboardingSignature(req *endpoint.Request, cert *x509.Certificate) error {
	sigInput := strings.Trim(req.Metadata.Get(signature.FieldSignatureInput), " \t")
	sig := strings.Trim(req.Metadata.Get(signature.FieldSignature), " \t")
	if sigInput == "" && sig == "" {
		if v.cfg.RequireSignedOnboarding {
			return unsigned("onboarding requests must be signed with the key of the certificate they carry (RFC 9421)")
		}
		return nil
	}
	if cert.PublicKey == nil {
		return problem(fault.BadRequest, document.ProblemInvalidCertificateFormat, "the certificate's public key algorithm is not supported")
	}
	res, err := verify(&v.verifier, req, sigInput, sig, cert.PublicKey)
	if err != nil {
		return err
	}
	if want := signature.KeyID(cert); res.KeyID != "" && res.KeyID != want {
		return unsigned("signature %q: keyid %.80q is not the key of the certificate in the request", res.Label, res.KeyID)
	}
	return nil
}
