package main

// The rc.3 device API over real mutual TLS, on the listener the WFM's P1
// clients use: a client holding an SVID the operator issued reports its
// capabilities; no certificate, a retired client and a certificate from
// another trust domain are refused.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/managers/authority"
	"github.com/cadenza-edge/cadenza/margo/miaf"
)

// startRC3WFM is startWFMWithIdentity with the binding requesting client
// certificates, verified against the trust bundle's anchors.
func startRC3WFM(t *testing.T) (*wfm, *miaf.Bundle) {
	t.Helper()
	w := startRC3WFMWith(t, t.TempDir(), nil)
	return w, w.bundle
}

// startRC3WFMWith is startRC3WFM in dir, its config passed through edit.
func startRC3WFMWith(t testing.TB, dir string, edit func(string) string) *wfm {
	t.Helper()
	bundleFile := filepath.Join(dir, "bundle.pem")
	doc := wfmDoc(dir)
	doc = strings.Replace(doc, `{"name": "deployment", "type": "managers.deployment", "uses": {"state": "store", "events": "events"}}]}`,
		`{"name": "deployment", "type": "managers.deployment", "uses": {"state": "store", "events": "events"}},
    {"name": "identity", "type": "managers.identity", "uses": {"state": "store"},
     "config": {"trustDomain": "plant.example", "wfmId": "wfm-7", "bundleFile": "`+bundleFile+`"}}]}`, 1)
	doc = strings.Replace(doc, `{"ref": "deployment"}]}`, `{"ref": "deployment"}, {"ref": "identity"}]}`, 1)
	doc = strings.Replace(doc, `"tls": {"cert"`, `"tls": {"clientCA": "`+bundleFile+`", "cert"`, 1)
	doc = strings.Replace(doc, `"hosts": ["127.0.0.1"]`, `"hosts": ["127.0.0.1"], "spiffeId": "spiffe://plant.example/margo/wfm/wfm-7"`, 1)
	if strings.Count(doc, "identity") < 3 || !strings.Contains(doc, "clientCA") || !strings.Contains(doc, "spiffeId") {
		t.Fatal("the test WFM config changed: identity or clientCA was not added")
	}
	if edit != nil {
		doc = edit(doc)
	}
	w := startWFMWith(t, dir, doc)
	_, body := wellKnown(t, w, miaf.DefaultBundlePath, "")
	_, td, err := miaf.ParseDiscovery(mustBody(t, w, miaf.DiscoveryPath))
	if err != nil {
		t.Fatal(err)
	}
	if w.bundle, err = miaf.ParseBundle(td, body); err != nil {
		t.Fatal(err)
	}
	return w
}

func mustBody(t testing.TB, w *wfm, path string) []byte {
	t.Helper()
	_, body := wellKnown(t, w, path, "")
	return body
}

// csrPEM is a fresh P-256 key and its CSR (PEM).
func csrPEM(t testing.TB) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// issueSVID has the operator sign a fresh key's CSR for client.
func issueSVID(t testing.TB, w *wfm, client string) tls.Certificate {
	t.Helper()
	key, csr := csrPEM(t)
	code, out := w.operator(t, http.MethodPost, "/clients/"+client+"/svid", "application/x-pem-file", csr)
	block, _ := pem.Decode(out)
	if code != http.StatusCreated || block == nil {
		t.Fatalf("issue: %d %s", code, out)
	}
	return tls.Certificate{Certificate: [][]byte{block.Bytes}, PrivateKey: key}
}

// rc3Call sends a request over mTLS with cert (none when nil), trusting the
// bundle; err is a transport (handshake) failure.
func rc3Call(w *wfm, b *miaf.Bundle, cert *tls.Certificate, method, path string, body []byte) (int, []byte, error) {
	code, _, out, err := rc3CallWith(w, b, cert, method, path, body, nil)
	return code, out, err
}

// rc3CallWith is rc3Call with request headers, returning the response's.
func rc3CallWith(w *wfm, b *miaf.Bundle, cert *tls.Certificate, method, path string, body []byte, headers map[string]string) (int, http.Header, []byte, error) {
	cfg := &tls.Config{RootCAs: b.Pool(), MinVersion: tls.VersionTLS13}
	if cert != nil {
		// Always present it, even when the server's acceptable CAs do not
		// name its issuer (Go's default would then send none).
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}, Timeout: 10 * time.Second}
	req, _ := http.NewRequest(method, "https://"+w.addr+path, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, out, nil
}

func rc3Capabilities(id string) []byte {
	return []byte(`{"properties": {"id": "` + id + `", "vendor": "ACME", "modelNumber": "M1", "serialNumber": "S1",
	  "cpus": [{"cores": 2, "architecture": "arm64"}], "memory": "1024Mi", "storage": "32Gi",
	  "otelCollector": true, "supportedRuntimes": ["oci"], "supportedDeploymentTypes": ["compose"]},
	 "labels": {"site": "plant-7"}}`)
}

// problemOf decodes an rc.3 problem and checks its type and retryable.
func problemOf(t *testing.T, body []byte, name string) {
	t.Helper()
	var p struct {
		Type      string `json:"type"`
		Retryable *bool  `json:"retryable"`
		Backoff   string `json:"backoffStrategy"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Type != "https://docs.margo.org/specification/problem-types#"+name || p.Retryable == nil || *p.Retryable || p.Backoff != "none" {
		t.Fatalf("problem %s, want rc.3 type %s, retryable false", body, name)
	}
}

func TestEndToEndRC3CapabilitiesOverMutualTLS(t *testing.T) {
	w, b := startRC3WFM(t)
	svid := issueSVID(t, w, "edge-1")
	code, out, err := rc3Call(w, b, &svid, http.MethodPut, "/api/v1/capabilities/dev-1", rc3Capabilities("dev-1"))
	if err != nil || code != http.StatusCreated {
		t.Fatalf("create: %d %s %v", code, out, err)
	}
	if code, out, _ := rc3Call(w, b, &svid, http.MethodPut, "/api/v1/capabilities/dev-1", rc3Capabilities("dev-1")); code != http.StatusOK {
		t.Fatalf("update: %d %s", code, out)
	}
	// The device is the operator's like any other, under the SVID's client.
	if code, out := w.operator(t, http.MethodGet, "/clients/edge-1/devices/dev-1", "", nil); code != 200 || !strings.Contains(string(out), `"plant-7"`) {
		t.Fatalf("operator view: %d %s", code, out)
	}
	if code, out := w.operator(t, http.MethodGet, "/clients/edge-1", "", nil); code != 200 || !strings.Contains(string(out), `"spiffeId":"spiffe://plant.example/margo/wfm/wfm-7/client/edge-1"`) {
		t.Fatalf("client record: %d %s", code, out)
	}
	code, out, _ = rc3Call(w, b, &svid, http.MethodPut, "/api/v1/capabilities/gw/child", rc3Capabilities("gw/child"))
	if code != http.StatusNotFound {
		t.Fatalf("child before its gateway: %d %s", code, out)
	}
	problemOf(t, out, "gateway-not-found")
	code, out, _ = rc3Call(w, b, &svid, http.MethodPut, "/api/v1/capabilities/dev-2", rc3Capabilities("dev-1"))
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("path and body ids differ: %d %s", code, out)
	}
	problemOf(t, out, "semantic-error")

	// Without a client certificate: never served.
	code, out, err = rc3Call(w, b, nil, http.MethodPut, "/api/v1/capabilities/dev-1", rc3Capabilities("dev-1"))
	if err != nil || code != http.StatusForbidden {
		t.Fatalf("no certificate: %d %s %v", code, out, err)
	}
	problemOf(t, out, "not-authorized")

	// A certificate of another trust domain fails the handshake: no
	// request is served.
	other := foreignSVID(t)
	if code, out, err := rc3Call(w, b, &other, http.MethodPut, "/api/v1/capabilities/dev-1", rc3Capabilities("dev-1")); err == nil {
		t.Fatalf("a foreign SVID was served: %d %s", code, out)
	}

	// Removed, then 404; a retired client gets 403 with a still-valid SVID.
	if code, out, _ := rc3Call(w, b, &svid, http.MethodDelete, "/api/v1/capabilities/dev-1", nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", code, out)
	}
	code, out, _ = rc3Call(w, b, &svid, http.MethodDelete, "/api/v1/capabilities/dev-1", nil)
	if code != http.StatusNotFound {
		t.Fatalf("delete again: %d %s", code, out)
	}
	problemOf(t, out, "device-not-found")
	if code, out := w.operator(t, http.MethodPost, "/clients/edge-1/revoke", "", nil); code != 200 {
		t.Fatalf("revoke: %d %s", code, out)
	}
	code, out, _ = rc3Call(w, b, &svid, http.MethodPut, "/api/v1/capabilities/dev-1", rc3Capabilities("dev-1"))
	if code != http.StatusForbidden || !strings.Contains(string(out), "retired") {
		t.Fatalf("retired client: %d %s", code, out)
	}
	_, csr := csrPEM(t)
	if code, out := w.operator(t, http.MethodPost, "/clients/edge-1/svid", "application/x-pem-file", csr); code != http.StatusConflict {
		t.Fatalf("issuing to a revoked client: %d %s, want 409", code, out)
	}
}

// foreignSVID is an SVID-shaped certificate from another trust domain's CA.
func foreignSVID(t *testing.T) tls.Certificate {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	u, _ := url.Parse("spiffe://other.example/margo/wfm/wfm-7/client/edge-1")
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		URIs: []*url.URL{u}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

const rc3Deployment = `id: a3e2f5dc-912e-494f-8395-52cf3769bc06
metadata: {name: web, namespace: margo, deviceId: dev-1}
spec:
  applicationId: com-example-web
  deploymentProfile:
    type: compose
    components:
      - {name: web, properties: {repository: oci://registry.example/web, revision: 1.0.0, wait: true}}
`

// The desired state and status over rc.3 routes: the manifest lists the
// rc.3 artifact URLs, which serve the YAML and the bundle privately, and a
// status with adoptedManifestVersion reaches the operator.
func TestEndToEndRC3DesiredStateAndStatusOverMutualTLS(t *testing.T) {
	w, b := startRC3WFM(t)
	svid := issueSVID(t, w, "edge-1")
	if code, out, err := rc3Call(w, b, &svid, http.MethodPut, "/api/v1/capabilities/dev-1", rc3Capabilities("dev-1")); err != nil || code != 201 {
		t.Fatalf("capabilities: %d %s %v", code, out, err)
	}
	if code, out := w.operator(t, http.MethodPut, "/clients/edge-1/deployments", "application/yaml", []byte(rc3Deployment)); code != 201 {
		t.Fatalf("apply: %d %s", code, out)
	}
	code, hdr, body, err := rc3CallWith(w, b, &svid, http.MethodGet, "/api/v1/deployments", nil, nil)
	if err != nil || code != 200 || hdr.Get("Cache-Control") != "private" || hdr.Get("ETag") == "" {
		t.Fatalf("manifest: %d %v %s %v", code, hdr, body, err)
	}
	if code, _, _, _ := rc3CallWith(w, b, &svid, http.MethodGet, "/api/v1/deployments", nil, map[string]string{"If-None-Match": hdr.Get("ETag")}); code != http.StatusNotModified {
		t.Fatalf("If-None-Match with the rc.3 ETag: %d, want 304", code)
	}
	var m struct {
		ManifestVersion uint64
		Bundle          struct{ URL, Digest string }
		Deployments     []struct{ DeploymentID, Digest, URL string }
	}
	if err := json.Unmarshal(body, &m); err != nil || len(m.Deployments) != 1 {
		t.Fatalf("manifest %s: %v", body, err)
	}
	d := m.Deployments[0]
	if d.URL != "/api/v1/deployments/"+d.DeploymentID+"/"+d.Digest || m.Bundle.URL != "/api/v1/bundles/"+m.Bundle.Digest {
		t.Fatalf("the manifest's URLs are not the rc.3 routes: %s", body)
	}
	for _, u := range []string{d.URL, m.Bundle.URL} {
		code, hdr, out, _ := rc3CallWith(w, b, &svid, http.MethodGet, u, nil, nil)
		if code != 200 || len(out) == 0 || hdr.Get("Cache-Control") != "private, max-age=31536000, immutable" || hdr.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("GET %s: %d %v", u, code, hdr)
		}
	}
	// The P1 route of the same artifact is not reachable without a signature.
	if code, _, _ := rc3Call(w, b, &svid, http.MethodGet, "/api/v1/clients/edge-1/deployments", nil); code == 200 {
		t.Fatal("the P1 manifest route answered an unsigned rc.3 client")
	}
	status := `{"deploymentId": "` + d.DeploymentID + `", "adoptedManifestVersion": ` + jsonNumber(m.ManifestVersion) + `,
	  "status": {"state": "installed"}, "components": [{"name": "web", "state": "installed"}]}`
	if code, out, _ := rc3Call(w, b, &svid, http.MethodPost, "/api/v1/deployments/"+d.DeploymentID+"/status", []byte(status)); code != 200 {
		t.Fatalf("status: %d %s", code, out)
	}
	if _, states := statusHistory(t, w, "edge-1", d.DeploymentID); len(states) != 1 || states[0] != "installed" {
		t.Fatalf("the operator sees %v", states)
	}
	noAdopted := strings.Replace(status, `"adoptedManifestVersion": `+jsonNumber(m.ManifestVersion)+`,`, "", 1)
	code, out, _ := rc3Call(w, b, &svid, http.MethodPost, "/api/v1/deployments/"+d.DeploymentID+"/status", []byte(noAdopted))
	if code != http.StatusBadRequest && code != http.StatusUnprocessableEntity {
		t.Fatalf("status without adoptedManifestVersion: %d %s", code, out)
	}
}

func jsonNumber(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// An expired SVID of the WFM's own trust domain is refused in the
// handshake, like a certificate of another trust domain: no request is
// served.
func TestEndToEndRC3RefusesAnExpiredSVID(t *testing.T) {
	dir := t.TempDir()
	ca, _, err := authority.Generate(authority.Spec{CommonName: "td", Validity: 48 * time.Hour, URI: &url.URL{Scheme: "spiffe", Host: "plant.example"}}, time.Now().Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	caCert, caKey := filepath.Join(dir, "td-ca.pem"), filepath.Join(dir, "td-ca-key.pem")
	if err := authority.WritePair(caCert, caKey, ca.Cert, ca.Key); err != nil {
		t.Fatal(err)
	}
	w := startRC3WFMWith(t, dir, func(doc string) string {
		return strings.Replace(doc, `"wfmId": "wfm-7"`, `"wfmId": "wfm-7", "ca": {"cert": "`+caCert+`", "key": "`+caKey+`"}`, 1)
	})
	if !w.bundle.Anchors()[0].Equal(ca.Cert) {
		t.Fatal("the WFM does not use the configured trust domain CA")
	}
	valid := issueSVID(t, w, "edge-1")
	if code, out, err := rc3Call(w, w.bundle, &valid, http.MethodGet, "/api/v1/deployments", nil); err != nil || code != 200 {
		t.Fatalf("a valid SVID: %d %s %v", code, out, err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	id, _ := url.Parse("spiffe://plant.example/margo/wfm/wfm-7/client/edge-1")
	expired, err := ca.Issue(key.Public(), authority.Leaf{URIs: []*url.URL{id}, Usage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, Validity: time.Hour}, time.Now().Add(-3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cert := tls.Certificate{Certificate: [][]byte{expired.Raw}, PrivateKey: key}
	if code, out, err := rc3Call(w, w.bundle, &cert, http.MethodGet, "/api/v1/deployments", nil); err == nil {
		t.Fatalf("an expired SVID was served: %d %s", code, out)
	}
}

// Bad input on every rc.3 route gets a typed rc.3 problem, never a 5xx.
func TestEndToEndRC3BadInputIsAProblemNeverA5xx(t *testing.T) {
	w, b := startRC3WFM(t)
	svid := issueSVID(t, w, "edge-1")
	if code, out, _ := rc3Call(w, b, &svid, http.MethodPut, "/api/v1/capabilities/dev-1", rc3Capabilities("dev-1")); code != 201 {
		t.Fatalf("setup: %d %s", code, out)
	}
	dig := "sha256:" + strings.Repeat("0", 64)
	for _, c := range []struct {
		method, path, ctype string
		body                []byte
	}{
		{http.MethodPut, "/api/v1/capabilities/dev-1", "application/json", []byte(`{`)},
		{http.MethodPut, "/api/v1/capabilities/dev-1", "application/json", []byte(`[]`)},
		{http.MethodPut, "/api/v1/capabilities/dev-1", "application/json", []byte(`{"properties": 7}`)},
		{http.MethodPut, "/api/v1/capabilities/dev-1", "application/json", []byte(`{"apiVersion": "device.margo.org/v1alpha1", "kind": "DeviceCapabilitiesManifest", "properties": {"id": "dev-1"}}`)},
		{http.MethodPut, "/api/v1/capabilities/dev-1", "text/plain", rc3Capabilities("dev-1")},
		{http.MethodPut, "/api/v1/capabilities/dev-1", "application/json", nil},
		{http.MethodPut, "/api/v1/capabilities/a/../b", "application/json", rc3Capabilities("a/../b")},
		{http.MethodPut, "/api/v1/capabilities/" + strings.Repeat("x", 3000), "application/json", rc3Capabilities("x")},
		{http.MethodPut, "/api/v1/capabilities/dev-1", "application/json", []byte(`{"properties": {"id": "dev-1"}, "x-y": ` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`)},
		{http.MethodDelete, "/api/v1/capabilities/nope", "", nil},
		{http.MethodGet, "/api/v1/deployments/nope/" + dig, "", nil},
		{http.MethodGet, "/api/v1/deployments/nope/sha512:abc", "", nil},
		{http.MethodGet, "/api/v1/deployments/nope/%00", "", nil},
		{http.MethodGet, "/api/v1/bundles/" + dig, "", nil},
		{http.MethodGet, "/api/v1/bundles/not-a-digest", "", nil},
		{http.MethodPost, "/api/v1/deployments/nope/status", "application/json", []byte(`{"deploymentId": "nope", "adoptedManifestVersion": 1, "status": {"state": "installed"}, "components": []}`)},
		{http.MethodPost, "/api/v1/deployments/a/status", "application/json", []byte(`{"deploymentId": "b", "adoptedManifestVersion": 1, "status": {"state": "installed"}, "components": [{"name": "x", "state": "installed"}]}`)},
		{http.MethodPost, "/api/v1/deployments/a/status", "application/json", []byte(`{"deploymentId": "a", "adoptedManifestVersion": -1, "status": {"state": "done"}}`)},
		{http.MethodPost, "/api/v1/deployments/a/status", "application/json", []byte(`null`)},
		{http.MethodPost, "/api/v1/deployments/a/status", "application/xml", []byte(`<a/>`)},
	} {
		code, hdr, out, err := rc3CallWith(w, b, &svid, c.method, c.path, c.body, map[string]string{"Content-Type": c.ctype})
		if err != nil {
			t.Fatalf("%s %.60s: %v", c.method, c.path, err)
		}
		if code >= 500 || code < 400 || hdr.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %.60s (%s): %d %s %.200s", c.method, c.path, c.ctype, code, hdr.Get("Content-Type"), out)
			continue
		}
		var p struct {
			Type      string `json:"type"`
			Retryable *bool  `json:"retryable"`
		}
		if json.Unmarshal(out, &p) != nil || p.Retryable == nil || (!strings.HasPrefix(p.Type, "https://docs.margo.org/specification/problem-types#") && p.Type != "about:blank") {
			t.Errorf("%s %.60s: not an rc.3 problem: %.200s", c.method, c.path, out)
		}
	}
}

// A rotation on a running WFM: the binding re-reads the bundle file, so an
// SVID of the new CA is accepted at once, and one of the old CA still is
// during the overlap; the bundle's sequence rises.
func TestEndToEndRC3RotationKeepsOldAndNewSVIDsWorking(t *testing.T) {
	w, b := startRC3WFM(t)
	old := issueSVID(t, w, "edge-1")
	code, out := w.operator(t, http.MethodPost, "/identity/rotate", "application/json", []byte(`{"overlap": "48h"}`))
	var r struct{ Sequence uint64 }
	if code != 200 || json.Unmarshal(out, &r) != nil || r.Sequence != b.Sequence()+1 {
		t.Fatalf("rotate: %d %s (sequence was %d)", code, out, b.Sequence())
	}
	_, body := wellKnown(t, w, miaf.DefaultBundlePath, "")
	rotated, err := miaf.ParseBundle(b.TrustDomain(), body)
	if err != nil || rotated.Sequence() != r.Sequence || len(rotated.Anchors()) != 3 {
		t.Fatalf("the published bundle: %v %s", err, body)
	}
	fresh := issueSVID(t, w, "edge-1")
	for name, svid := range map[string]*tls.Certificate{"old CA": &old, "new CA": &fresh} {
		if code, out, err := rc3Call(w, rotated, svid, http.MethodGet, "/api/v1/deployments", nil); err != nil || code != 200 {
			t.Fatalf("an SVID of the %s during the overlap: %d %s %v", name, code, out, err)
		}
	}
	if code, out := w.operator(t, http.MethodPost, "/identity/rotate", "application/json", []byte(`{"overlap": "soon"}`)); code != 422 {
		t.Fatalf("a bad overlap: %d %s", code, out)
	}
}
