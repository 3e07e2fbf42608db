package main

// End-to-end tests of the WFM: the real binary's code path (Main) with the
// sample modules, bolt on disk, TLS 1.3 from the onboarding CA, and real
// RFC 9421 signatures from margo/client.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/margo/bundle"
	"github.com/cadenza-edge/cadenza/margo/client"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/miaf"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

const operatorToken = "e2e-token"

// wfm is one running WFM host.
type wfm struct {
	addr  string
	dir   string
	roots *x509.CertPool
	stop  func()
	// bundle is the rc.3 trust bundle, when the WFM serves one (startRC3WFM).
	bundle *miaf.Bundle
}

func wfmDoc(dir string) string {
	return wfmDocWith(dir, fmt.Sprintf(`{"type": "state.bolt", "config": {"path": %q}}`, filepath.Join(dir, "wfm.db")))
}

// wfmDocWith is the WFM config with the given state provider instance.
func wfmDocWith(dir, store string) string {
	return fmt.Sprintf(`{
 "name": "wfm-e2e",
 "providers": {"store": %[1]s, "events": {"type": "pubsub.memory"}},
 "vendors": [
  {"type": "vendors.margo", "managers": [
    {"name": "onboarding", "type": "managers.onboarding", "uses": {"state": "store"},
     "config": {"serverCertificate": {"cert": %[2]q, "key": %[3]q, "hosts": ["127.0.0.1"]}}},
    {"name": "capabilities", "type": "managers.capabilities", "uses": {"state": "store", "events": "events"}},
    {"name": "deployment", "type": "managers.deployment", "uses": {"state": "store", "events": "events"}}]},
  {"type": "vendors.fleet", "config": {"tokens": [%[4]q]}, "managers": [{"ref": "onboarding"}, {"ref": "capabilities"}, {"ref": "deployment"}]}],
 "bindings": [{"type": "bindings.http", "config": {"listen": "127.0.0.1:0", "tls": {"cert": %[2]q, "key": %[3]q}}}]
}`, store, filepath.Join(dir, "tls.pem"), filepath.Join(dir, "tls-key.pem"), operatorToken)
}

// startWFM runs a WFM whose state lives in dir until the test ends or stop is called.
func startWFM(t *testing.T, dir string) *wfm {
	t.Helper()
	return startWFMWith(t, dir, wfmDoc(dir))
}

// startWFMWith runs a WFM with the config doc, its files in dir.
func startWFMWith(t testing.TB, dir, doc string) *wfm {
	t.Helper()
	f := filepath.Join(dir, "wfm.json")
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan os.Signal, 1)
	logs := newStartedLog()
	done := make(chan int, 1)
	go func() { done <- Main([]string{"run", "--config", f}, &syncBuffer{}, logs, sigs) }()
	w := &wfm{addr: logs.wait(t), dir: dir}
	stopped := false
	w.stop = func() {
		if stopped {
			return
		}
		stopped = true
		sigs <- syscall.SIGTERM
		if code := <-done; code != 0 {
			t.Errorf("WFM exit %d: %s", code, logs.String())
		}
	}
	t.Cleanup(w.stop)
	// Trust on first use over TLS, then pin: the CA must also have issued the server certificate.
	// (newDevice without roots downloads it over an unverified connection.)
	c := newDevice(t, w, nil)
	ca, err := c.CACertificate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	w.roots = x509.NewCertPool()
	w.roots.AddCert(ca)
	return w
}

func (w *wfm) base() string { return "https://" + w.addr + "/api/v1" }

// device is a device identity and its client.
type device struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
	*client.Client
}

func newIdentity(t testing.TB) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "e2e device"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return key, cert
}

func newDevice(t testing.TB, w *wfm, id *device) *device {
	t.Helper()
	d := id
	if d == nil {
		d = &device{}
		d.key, d.cert = newIdentity(t)
	}
	opts := client.Options{BaseURL: w.base(), Key: d.key, Certificate: d.cert, Roots: w.roots}
	if w.roots == nil {
		opts.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // only for the CA download
	}
	c, err := client.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	d.Client = c
	return d
}

func onboarded(t testing.TB, w *wfm) *device {
	t.Helper()
	d := newDevice(t, w, nil)
	if _, err := d.Onboard(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// operator calls the fleet API.
func (w *wfm) operator(t testing.TB, method, path, contentType string, body []byte) (int, []byte) {
	t.Helper()
	headers := map[string]string{}
	if contentType != "" {
		headers["Content-Type"] = contentType
	}
	return w.operatorWith(t, method, path, headers, body)
}

// operatorWith calls the fleet API with extra request headers.
func (w *wfm) operatorWith(t testing.TB, method, path string, headers map[string]string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, "https://"+w.addr+"/fleet/v1"+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+operatorToken)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: w.roots}}}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// signed sends a raw signed request and returns the response.
func (d *device) signed(t *testing.T, w *wfm, method, path string, headers map[string]string, body []byte) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, w.base()+path, bytes.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if body == nil {
		req.Body, req.ContentLength = nil, 0
	}
	if err := signature.SignRequest(req, &signature.Signer{Key: d.key, KeyID: signature.KeyID(d.cert)}); err != nil {
		t.Fatal(err)
	}
	for k, v := range headers { // let tests override what the signer set (e.g. an empty Content-Digest)
		req.Header.Set(k, v)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: w.roots, MinVersion: tls.VersionTLS13}, DisableCompression: true}}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func capabilities(id string) []byte {
	return []byte(fmt.Sprintf(`{"apiVersion":"device.margo.org/v1alpha1","kind":"DeviceCapabilitiesManifest","properties":{"id":%q,"vendor":"Northstar","modelNumber":"N1","serialNumber":"S1","roles":["Standalone Device"],"resources":{"cpu":{"cores":4,"architecture":"amd64"},"memory":"8Gi","storage":"64Gi","peripherals":[],"interfaces":[]}}}`, id))
}

func status(id, state string, components ...string) []byte {
	var cs []string
	for _, c := range components {
		cs = append(cs, fmt.Sprintf(`{"name":%q,"state":%q}`, c, state))
	}
	return []byte(fmt.Sprintf(`{"apiVersion":"deployment.margo.org/v1alpha1","kind":"DeploymentStatusManifest","deploymentId":%q,"status":{"state":%q},"components":[%s]}`, id, state, strings.Join(cs, ",")))
}

var etagPattern = regexp.MustCompile(`^"sha256:[0-9a-f]{64}"$`)

func TestWFMDeviceFlowEndToEnd(t *testing.T) {
	ctx := context.Background()
	w := startWFM(t, t.TempDir())
	d := onboarded(t, w)

	again := newDevice(t, w, &device{key: d.key, cert: d.cert})
	if id, err := again.Onboard(ctx); err != nil || id != d.ClientID() {
		t.Fatalf("re-onboarding the same certificate gave %q, %v; want %q", id, err, d.ClientID())
	}
	for _, m := range []string{http.MethodPost, http.MethodPut} {
		if err := d.ReportCapabilities(ctx, m, "edge-1", capabilities("edge-1")); err != nil {
			t.Fatalf("%s capabilities: %v", m, err)
		}
	}

	// The first manifest: version 1, no deployments, bundle null.
	first := d.signed(t, w, "GET", "/clients/"+d.ClientID()+"/deployments", nil, nil)
	body, _ := io.ReadAll(first.Body)
	if first.StatusCode != 200 || first.Header.Get("Content-Type") != document.ManifestMediaType || !etagPattern.MatchString(first.Header.Get("ETag")) ||
		first.Header.Get("ETag") != `"`+document.DigestOf(body)+`"` || first.Header.Get("Cache-Control") != "private" ||
		string(body) != `{"bundle":null,"deployments":[],"manifestVersion":1}` {
		t.Fatalf("first manifest: %d %v %s", first.StatusCode, first.Header, body)
	}
	notModified := d.signed(t, w, "GET", "/clients/"+d.ClientID()+"/deployments", map[string]string{"If-None-Match": first.Header.Get("ETag")}, nil)
	if b, _ := io.ReadAll(notModified.Body); notModified.StatusCode != 304 || len(b) != 0 || notModified.Header.Get("ETag") != first.Header.Get("ETag") {
		t.Fatalf("304 expected, got %d %q", notModified.StatusCode, b)
	}

	// The operator assigns a deployment.
	yaml := readFile(t, "../managers/deployment/testdata/p1-helm.yaml")
	code, out := w.operator(t, "PUT", "/clients/"+d.ClientID()+"/deployments", "application/yaml", yaml)
	if code != 201 {
		t.Fatalf("apply: %d %s", code, out)
	}
	var dep struct {
		DeploymentID string   `json:"deploymentId"`
		Components   []string `json:"components"`
	}
	_ = json.Unmarshal(out, &dep)

	m, err := d.Manifest(ctx, first.Header.Get("ETag"))
	if err != nil || m.NotModified || m.Manifest.ManifestVersion != 2 || len(m.Manifest.Deployments) != 1 || m.Manifest.Bundle == nil {
		t.Fatalf("manifest after apply: %+v %v", m, err)
	}
	ref := m.Manifest.Deployments[0]
	if ref.DeploymentID != dep.DeploymentID || ref.Digest != document.DigestOf(yaml) {
		t.Fatalf("deployment ref %+v; want id %s digest of the applied bytes", ref, dep.DeploymentID)
	}
	got, err := d.Fetch(ctx, ref.URL, ref.Digest)
	if err != nil || !bytes.Equal(got, yaml) {
		t.Fatalf("YAML fetch: %v (byte-identical: %v)", err, bytes.Equal(got, yaml))
	}
	raw := d.signed(t, w, "GET", strings.TrimPrefix(ref.URL, "/api/v1"), nil, nil)
	if raw.StatusCode != 200 || raw.Header.Get("Content-Type") != "application/yaml" || raw.Header.Get("ETag") != `"`+ref.Digest+`"` ||
		raw.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || raw.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("YAML headers: %d %v", raw.StatusCode, raw.Header)
	}
	cached := d.signed(t, w, "GET", strings.TrimPrefix(ref.URL, "/api/v1"), map[string]string{"If-None-Match": `"` + ref.Digest + `"`}, nil)
	if cached.StatusCode != 304 {
		t.Fatalf("YAML If-None-Match: %d", cached.StatusCode)
	}
	gz := d.signed(t, w, "GET", strings.TrimPrefix(ref.URL, "/api/v1"), map[string]string{"Accept-Encoding": "gzip"}, nil)
	if gz.StatusCode != 200 || (len(yaml) >= 1024 && gz.Header.Get("Content-Encoding") != "gzip") {
		t.Fatalf("YAML with gzip: %d %v", gz.StatusCode, gz.Header)
	}
	bundleBytes, err := d.Fetch(ctx, m.Manifest.Bundle.URL, m.Manifest.Bundle.Digest)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := bundle.Read(bundleBytes, m.Manifest.Bundle.Digest, bundle.Limits{})
	if err != nil || len(entries) != 1 || !bytes.Equal(entries[0].Data, yaml) {
		t.Fatalf("bundle: %v %d entries", err, len(entries))
	}
	braw := d.signed(t, w, "GET", strings.TrimPrefix(m.Manifest.Bundle.URL, "/api/v1"), nil, nil)
	if braw.Header.Get("Content-Type") != document.BundleMediaType || braw.Header.Get("ETag") != `"`+m.Manifest.Bundle.Digest+`"` || !strings.Contains(braw.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("bundle headers: %v", braw.Header)
	}

	// The device reports its progress; the operator sees it.
	for _, st := range []string{"pending", "installing", "installed"} {
		if err := d.ReportStatus(ctx, dep.DeploymentID, status(dep.DeploymentID, st, dep.Components...)); err != nil {
			t.Fatalf("status %s: %v", st, err)
		}
	}
	code, out = w.operator(t, "GET", "/clients/"+d.ClientID()+"/deployments/"+dep.DeploymentID+"/status", "", nil)
	if code != 200 || !strings.Contains(string(out), `"installed"`) || !strings.Contains(string(out), `"installing"`) {
		t.Fatalf("status history: %d %s", code, out)
	}

	// Removal: the manifest drops it (bundle null again), the device reports removing then removed.
	if code, out = w.operator(t, "DELETE", "/clients/"+d.ClientID()+"/deployments/"+dep.DeploymentID, "", nil); code != 202 {
		t.Fatalf("remove: %d %s", code, out)
	}
	m3, err := d.Manifest(ctx, m.ETag)
	if err != nil || m3.Manifest.ManifestVersion != 3 || m3.Manifest.Bundle != nil || len(m3.Manifest.Deployments) != 0 {
		t.Fatalf("manifest after removal: %+v %v", m3, err)
	}
	for _, st := range []string{"removing", "removed"} {
		if err := d.ReportStatus(ctx, dep.DeploymentID, status(dep.DeploymentID, st, dep.Components...)); err != nil {
			t.Fatalf("status %s: %v", st, err)
		}
	}
}

// problemType asserts status and Margo problem type of a response.
func problemType(t *testing.T, resp *http.Response, wantStatus int, wantType string) {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, wantStatus, b)
	}
	if resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("content type %q: %s", resp.Header.Get("Content-Type"), b)
	}
	var p map[string]any
	_ = json.Unmarshal(b, &p)
	if wantType != "" && p["type"] != "https://docs.margo.org/specification/problems/"+wantType {
		t.Fatalf("problem type %v, want %s", p["type"], wantType)
	}
}

func TestWFMErrorClassesEndToEnd(t *testing.T) {
	w := startWFM(t, t.TempDir())
	d := onboarded(t, w)
	yaml := readFile(t, "../managers/deployment/testdata/p1-helm.yaml")
	if code, out := w.operator(t, "PUT", "/clients/"+d.ClientID()+"/deployments", "application/yaml", yaml); code != 201 {
		t.Fatalf("apply: %d %s", code, out)
	}
	client := "/clients/" + d.ClientID()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: w.roots}}}

	t.Run("UnsignedRequestIs401", func(t *testing.T) {
		resp, err := hc.Get(w.base() + client + "/deployments")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		problemType(t, resp, 401, "signature-verification-failed")
	})
	t.Run("UnknownClientIs404", func(t *testing.T) {
		problemType(t, d.signed(t, w, "GET", "/clients/7d2a3c1e-0000-4000-8000-000000000000/deployments", nil, nil), 404, "invalid-client")
	})
	t.Run("SignatureOfAnotherKeyIs401", func(t *testing.T) {
		other := newDevice(t, w, nil)
		problemType(t, other.signed(t, w, "GET", client+"/deployments", nil, nil), 401, "signature-verification-failed")
	})
	t.Run("AcceptJSONOnlyIs406", func(t *testing.T) {
		problemType(t, d.signed(t, w, "GET", client+"/deployments", map[string]string{"Accept": "application/json"}, nil), 406, "server-cannot-generate-response")
	})
	t.Run("EmptyContentDigestIs400", func(t *testing.T) {
		problemType(t, d.signed(t, w, "POST", client+"/capabilities/edge-1", map[string]string{"Content-Digest": ""}, capabilities("edge-1")), 400, "invalid-digest-header")
	})
	t.Run("CapabilitiesBadArchitectureIs422", func(t *testing.T) {
		bad := bytes.Replace(capabilities("edge-1"), []byte(`"amd64"`), []byte(`"sparc"`), 1)
		problemType(t, d.signed(t, w, "POST", client+"/capabilities/edge-1", nil, bad), 422, "semantic-error")
	})
	t.Run("StatusBadStateIs422", func(t *testing.T) {
		problemType(t, d.signed(t, w, "POST", client+"/deployments/0f9a4c52-7d1e-4b8a-9c3f-2e6d8b1a5c70/status", nil, status("0f9a4c52-7d1e-4b8a-9c3f-2e6d8b1a5c70", "Installed", "database-services", "digitron-orchestrator")), 422, "")
	})
	t.Run("StatusPathBodyMismatchIs422", func(t *testing.T) {
		problemType(t, d.signed(t, w, "POST", client+"/deployments/0f9a4c52-7d1e-4b8a-9c3f-2e6d8b1a5c70/status", nil, status("11111111-2222-4333-8444-555555555555", "installed", "database-services", "digitron-orchestrator")), 422, "")
	})
	t.Run("StatusUnknownDeploymentIs404", func(t *testing.T) {
		problemType(t, d.signed(t, w, "POST", client+"/deployments/11111111-2222-4333-8444-555555555555/status", nil, status("11111111-2222-4333-8444-555555555555", "installed", "web")), 404, "deployment-not-found")
	})
	t.Run("WrongDigestIs404", func(t *testing.T) {
		problemType(t, d.signed(t, w, "GET", client+"/deployments/0f9a4c52-7d1e-4b8a-9c3f-2e6d8b1a5c70/sha256:"+strings.Repeat("0", 64), nil, nil), 404, "deployment-not-found")
		problemType(t, d.signed(t, w, "GET", client+"/bundles/sha256:"+strings.Repeat("0", 64), nil, nil), 404, "invalid-bundle")
	})
	t.Run("OnboardingBadAPIVersionIs400", func(t *testing.T) {
		resp, err := hc.Post(w.base()+"/onboarding", "application/json", strings.NewReader(`{"apiVersion":"v0","kind":"OnboardingRequest","certificate":"eA=="}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		problemType(t, resp, 400, "")
	})
	t.Run("RevokedClientIs403", func(t *testing.T) {
		victim := onboarded(t, w)
		if code, out := w.operator(t, "POST", "/clients/"+victim.ClientID()+"/revoke", "", nil); code != 200 {
			t.Fatalf("revoke: %d %s", code, out)
		}
		problemType(t, victim.signed(t, w, "GET", "/clients/"+victim.ClientID()+"/deployments", nil, nil), 403, "certificate-not-trusted")
	})
	t.Run("OperatorDeleteOfApprovedClientRevokesIt", func(t *testing.T) {
		gone := onboarded(t, w)
		if code, out := w.operator(t, "DELETE", "/clients/"+gone.ClientID()+"?forget", "", nil); code != 204 {
			t.Fatalf("delete: %d %s", code, out)
		}
		problemType(t, gone.signed(t, w, "GET", "/clients/"+gone.ClientID()+"/deployments", nil, nil), 403, "certificate-not-trusted")
	})
	t.Run("OperatorWithoutTokenIs401", func(t *testing.T) {
		resp, err := hc.Get("https://" + w.addr + "/fleet/v1/clients")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("operator API without token: %d", resp.StatusCode)
		}
	})
}

func TestWFMRestartLosesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w := startWFM(t, dir)
	d := onboarded(t, w)
	if err := d.ReportCapabilities(ctx, http.MethodPut, "edge-1", capabilities("edge-1")); err != nil {
		t.Fatal(err)
	}
	yaml := readFile(t, "../managers/deployment/testdata/p1-helm.yaml")
	if code, out := w.operator(t, "PUT", "/clients/"+d.ClientID()+"/deployments", "application/yaml", yaml); code != 201 {
		t.Fatalf("apply: %d %s", code, out)
	}
	before, err := d.Manifest(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	id := before.Manifest.Deployments[0].DeploymentID
	if err := d.ReportStatus(ctx, id, status(id, "installed", "database-services", "digitron-orchestrator")); err != nil {
		t.Fatal(err)
	}
	w.stop()

	w2 := startWFM(t, dir)
	if !w2.roots.Equal(w.roots) {
		t.Fatal("the CA changed across the restart")
	}
	d2 := newDevice(t, w2, &device{key: d.key, cert: d.cert})
	d2.SetClientID(d.ClientID())
	after, err := d2.Manifest(ctx, "")
	if err != nil || after.Manifest.ManifestVersion != before.Manifest.ManifestVersion || after.ETag != before.ETag {
		t.Fatalf("manifest after restart: %+v %v; before %d %s", after, err, before.Manifest.ManifestVersion, before.ETag)
	}
	if nm, err := d2.Manifest(ctx, before.ETag); err != nil || !nm.NotModified {
		t.Fatalf("the old ETag no longer matches: %+v %v", nm, err)
	}
	code, out := w2.operator(t, "GET", "/clients/"+d.ClientID()+"/devices/edge-1", "", nil)
	if code != 200 || !strings.Contains(string(out), `"edge-1"`) {
		t.Fatalf("capabilities after restart: %d %s", code, out)
	}
	code, out = w2.operator(t, "GET", "/clients/"+d.ClientID()+"/deployments/"+id+"/status", "", nil)
	if code != 200 || !strings.Contains(string(out), `"installed"`) {
		t.Fatalf("status after restart: %d %s", code, out)
	}
	if code, out := w2.operator(t, "DELETE", "/clients/"+d.ClientID()+"/deployments/"+id, "", nil); code != 202 {
		t.Fatalf("remove after restart: %d %s", code, out)
	}
	next, err := d2.Manifest(ctx, before.ETag)
	if err != nil || next.Manifest.ManifestVersion <= before.Manifest.ManifestVersion {
		t.Fatalf("version after restart %+v, want > %d (%v)", next, before.Manifest.ManifestVersion, err)
	}
}

func TestWFMRefusesManifestURLsOutsideItsRoutes(t *testing.T) {
	dir := t.TempDir()
	doc := strings.Replace(wfmDoc(dir), `"uses": {"state": "store", "events": "events"}}]}`, `"uses": {"state": "store", "events": "events"}, "config": {"urlPrefix": "/v2"}}]}`, 1)
	if !strings.Contains(doc, `"/v2"`) {
		t.Fatal("test config not patched")
	}
	f := writeConfig(t, doc)
	var errb syncBuffer
	if code := Main([]string{"run", "--config", f}, &syncBuffer{}, &errb, make(chan os.Signal)); code != 1 || !strings.Contains(errb.String(), `set its "urlPrefix" to "/api/v1"`) {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}
