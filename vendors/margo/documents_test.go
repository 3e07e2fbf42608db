package margo

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"

	"github.com/cadenza-edge/cadenza/margo/digest"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// Request bodies and client tweaks shared by the tests.

// onboardingBody is an OnboardingRequest for cert (base64 of its PEM).
func onboardingBody(cert *x509.Certificate) []byte {
	pemText := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	b, _ := json.Marshal(map[string]string{
		"apiVersion": "onboarding.margo.org/v1alpha1", "kind": "OnboardingRequest",
		"certificate": base64.StdEncoding.EncodeToString(pemText),
	})
	return b
}

// capabilities is a valid P1 capabilities document for device id.
func capabilities(id string) []byte {
	return []byte(strings.ReplaceAll(`{
  "apiVersion": "device.margo.org/v1alpha1",
  "kind": "DeviceCapabilitiesManifest",
  "properties": {
    "id": "ID", "vendor": "Northstar", "modelNumber": "332ANZE1-N1", "serialNumber": "PF45343-AA",
    "cpus": [{"cores": 4, "architecture": "arm64"}], "memory": "8 Gi", "storage": "64 Gi",
    "interfaces": [{"type": "ethernet"}], "otelCollector": true,
    "supportedRuntimes": ["oci"], "supportedDeploymentTypes": ["helm", "compose"]
  }
}`, "ID", id))
}

// statusDoc is a status report for deploymentID with one component.
func statusDoc(deploymentID, state, component string) []byte {
	return []byte(`{"apiVersion":"deployment.margo.org/v1alpha1","kind":"DeploymentStatusManifest",` +
		`"deploymentId":"` + deploymentID + `","status":{"state":"` + state + `"},` +
		`"components":[{"name":"` + component + `","state":"` + state + `"}]}`)
}

// stripHeader is a RoundTripper that deletes a header after signing.
type stripHeader struct {
	base http.RoundTripper
	name string
	set  *string // when not nil, the header is set to this instead
}

func (s stripHeader) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if s.set != nil {
		r.Header[http.CanonicalHeaderKey(s.name)] = []string{*s.set}
	} else {
		r.Header.Del(s.name)
	}
	return s.base.RoundTrip(r)
}

// tamperedClient signs with s, then deletes header (or sets it to *value).
func tamperedClient(s *signature.Signer, header string, value *string) *http.Client {
	base := stripHeader{base: &http.Transport{DisableCompression: true}, name: header, set: value}
	return &http.Client{Transport: &signature.Transport{Base: base, Signer: s}}
}

// contentDigest is the Content-Digest value of body.
func contentDigest(body []byte) string { return digest.Compute(body) }
