package fleet

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"mime"
	"net/http"
	"time"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
)

// SVIDMediaType is the media type of an issued SVID: a PEM certificate
// chain (RFC 8555 §9.1).
const SVIDMediaType = "application/pem-certificate-chain"

// maxCSRBody bounds a certificate signing request; maxRotateBody the
// rotate request ({"overlap": "24h"}).
const (
	maxCSRBody    = 64 << 10
	maxRotateBody = 64 << 10
)

// issueSVID serves POST /clients/{clientId}/svid (rc.3, out-of-band
// provisioning): the body is the client's PKCS #10 CSR, PEM (or DER with
// Content-Type application/pkcs10); 201 with the X.509-SVID of
// spiffe://<td>/margo/wfm/<wfm-id>/client/{clientId}, PEM. The key never
// leaves the device; the trust bundle to verify the WFM with is at
// /.well-known/spiffe/bundle.json. The client is enrolled (created
// approved, or renewed keeping its state) among the fleet's clients, so it
// is listed, and revoked, like a P1 one; a client that is not approved
// gets 409.
func (v *Vendor) issueSVID(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	csr, err := parseCSR(req)
	if err != nil {
		return nil, err
	}
	clientID := req.Param("clientId")
	switch c, err := v.onboarding.Client(ctx, clientID); {
	case err == nil && c.State != fleet.ClientApproved:
		return nil, fault.New(fault.Conflict, "client %s is %s: approve it before issuing it an SVID", clientID, c.State)
	case err != nil && !fault.Is(err, fault.NotFound):
		return nil, err
	}
	cert, err := v.identity.IssueSVID(ctx, clientID, csr)
	if err != nil {
		return nil, err
	}
	if _, err := v.onboarding.Enroll(ctx, clientID, cert); err != nil {
		return nil, err
	}
	v.log.Info("client SVID issued by operator", "clientId", req.Param("clientId"), "spiffeId", cert.URIs[0].String(), "notAfter", cert.NotAfter)
	return &endpoint.Response{Status: http.StatusCreated, Metadata: endpoint.Metadata{"content-type": SVIDMediaType},
		Body: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})}, nil
}

// parseCSR reads the request's CSR: DER for application/pkcs10, PEM
// ("CERTIFICATE REQUEST") otherwise.
func parseCSR(req *endpoint.Request) (*x509.CertificateRequest, error) {
	ct, _, _ := mime.ParseMediaType(req.Metadata.Get("content-type"))
	der := req.Body
	if ct != "application/pkcs10" {
		block, _ := pem.Decode(req.Body)
		if block == nil || block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST" {
			return nil, fault.New(fault.BadRequest, "the body must be a PEM CERTIFICATE REQUEST (or DER with Content-Type application/pkcs10)")
		}
		der = block.Bytes
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fault.Wrap(err, fault.BadRequest, "the certificate signing request does not parse")
	}
	return csr, nil
}

// rotateRequest is the body of POST /identity/rotate (optional).
type rotateRequest struct {
	// Overlap is how long the previous CA stays an anchor (a Go duration;
	// at least, and by default, one SVID lifetime).
	Overlap string `json:"overlap,omitempty"`
}

// rotateIdentity serves POST /identity/rotate: a new trust domain CA
// issues SVIDs from now on; the previous one stays in the bundle for the
// overlap. 200 {"sequence": <the bundle's new spiffe_sequence>}.
func (v *Vendor) rotateIdentity(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	var body rotateRequest
	if len(req.Body) > 0 {
		if err := endpoint.Decode(req, &body); err != nil {
			return nil, err
		}
	}
	var overlap time.Duration
	if body.Overlap != "" {
		d, err := time.ParseDuration(body.Overlap)
		if err != nil || d < 0 {
			return nil, fault.New(fault.Unprocessable, "overlap %q is not a duration such as \"24h\"", body.Overlap).
				WithViolations([]fault.Violation{{Field: "overlap", Message: "a non-negative Go duration"}})
		}
		overlap = d
	}
	seq, err := v.identity.Rotate(ctx, overlap)
	if err != nil {
		return nil, err
	}
	v.log.Info("trust domain CA rotated by operator", "sequence", seq)
	return endpoint.Encode(http.StatusOK, struct {
		Sequence uint64 `json:"sequence"`
	}{seq})
}
