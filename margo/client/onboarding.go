// Onboarding (P1 endpoints 1 and 2): the CA download and the onboarding call.

package client

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cadenza-edge/cadenza/internal/pemcert"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// CA encodings a WFM may serve at /onboarding/certificate.
const (
	CABase64PEM = "base64-pem" // the spec: {"certificate": base64(PEM)}
	CABase64DER = "base64-der" // {"certificate": base64(DER)}
	CAPEMField  = "pem"        // {"certificate": "-----BEGIN CERTIFICATE-----..."}
	CAPEMBody   = "pem-body"   // the body is the PEM text itself
)

// CACertificate downloads the WFM's root CA (endpoint 1); the caller decides
// whether to trust it (pin it, or compare with an out-of-band copy).
func (c *Client) CACertificate(ctx context.Context) (*x509.Certificate, error) {
	cert, _, err := c.CA(ctx)
	return cert, err
}

// CA is CACertificate that also says which encoding the WFM used: the
// spec's base64 of the PEM, or, as some WFMs do, base64 of the DER, the
// PEM text in the field, or the PEM text as the whole body (PEM is
// recognised by its armour).
func (c *Client) CA(ctx context.Context) (*x509.Certificate, string, error) {
	resp, err := c.do(ctx, c.unsigned, http.MethodGet, c.url("/onboarding/certificate"), nil, nil)
	if err != nil {
		return nil, "", err
	}
	if body := bytes.TrimSpace(resp.body); bytes.HasPrefix(body, []byte("-----BEGIN")) {
		cert, err := caPEM(body)
		return cert, CAPEMBody, err
	}
	var doc struct {
		Certificate string `json:"certificate"`
	}
	if err := json.Unmarshal(resp.body, &doc); err != nil {
		return nil, "", fmt.Errorf("client: the CA answer is neither JSON {\"certificate\": ...} nor PEM: %w", err)
	}
	field := strings.TrimSpace(doc.Certificate)
	if strings.HasPrefix(field, "-----BEGIN") {
		cert, err := caPEM([]byte(field))
		return cert, CAPEMField, err
	}
	raw, err := base64.StdEncoding.DecodeString(field)
	if err != nil {
		return nil, "", fmt.Errorf("client: the CA certificate is neither base64 nor PEM: %w", err)
	}
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("-----BEGIN")) {
		cert, err := caPEM(raw)
		return cert, CABase64PEM, err
	}
	cert, err := x509.ParseCertificate(raw)
	return cert, CABase64DER, err
}

// Onboard sends the device certificate (endpoint 2) and keeps the clientId.
func (c *Client) Onboard(ctx context.Context) (string, error) {
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.opts.Certificate.Raw})
	body, _ := json.Marshal(document.OnboardingRequest{
		APIVersion:  document.OnboardingAPIVersion,
		Kind:        document.OnboardingKind,
		Certificate: base64.StdEncoding.EncodeToString(pemCert),
	})
	resp, err := c.do(ctx, c.signed, http.MethodPost, c.url("/onboarding"), body, jsonHeaders)
	if err != nil {
		return "", err
	}
	var out document.OnboardingResponse
	if err := json.Unmarshal(resp.body, &out); err != nil || out.ClientID == "" {
		return "", fmt.Errorf("client: onboarding response without clientId: %s", resp.body)
	}
	c.opts.ClientID = out.ClientID
	return out.ClientID, nil
}

// caPEM parses the first CERTIFICATE block of a PEM CA answer.
func caPEM(b []byte) (*x509.Certificate, error) {
	cert, err := pemcert.First(b)
	if errors.Is(err, pemcert.ErrNone) {
		return nil, fmt.Errorf("client: %w in the CA answer", err)
	}
	return cert, err
}
