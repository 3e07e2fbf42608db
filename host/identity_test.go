package main

// The rc.3 identity service of a WFM that also serves P1: discovery and
// trust bundle on the same listener, and an operator signing a client's
// CSR into an X.509-SVID that verifies against that bundle.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/margo/miaf"
)

// startWFMWithIdentity runs the test WFM with a managers.identity beside
// the P1 managers (and referenced by the operator API).
func startWFMWithIdentity(t *testing.T) *wfm {
	t.Helper()
	dir := t.TempDir()
	doc := wfmDoc(dir)
	doc = strings.Replace(doc, `{"name": "deployment", "type": "managers.deployment", "uses": {"state": "store", "events": "events"}}]}`,
		`{"name": "deployment", "type": "managers.deployment", "uses": {"state": "store", "events": "events"}},
    {"name": "identity", "type": "managers.identity", "uses": {"state": "store"},
     "config": {"trustDomain": "plant.example", "wfmId": "wfm-7", "bundleFile": "`+filepath.Join(dir, "bundle.pem")+`"}}]}`, 1)
	doc = strings.Replace(doc, `{"ref": "deployment"}]}`, `{"ref": "deployment"}, {"ref": "identity"}]}`, 1)
	if !strings.Contains(doc, `"ref": "identity"`) || !strings.Contains(doc, "managers.identity") {
		t.Fatal("the test WFM config changed: the identity manager was not added")
	}
	return startWFMWith(t, dir, doc)
}

// wellKnown GETs a well-known path with the P1 CA as trust.
func wellKnown(t testing.TB, w *wfm, path, ifNoneMatch string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "https://"+w.addr+path, nil)
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: w.roots}}}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestIdentityServiceServesTheTrustDomainAndIssuesSVIDs(t *testing.T) {
	w := startWFMWithIdentity(t)
	resp, body := wellKnown(t, w, miaf.DiscoveryPath, "")
	d, td, err := miaf.ParseDiscovery(body)
	if resp.StatusCode != 200 || err != nil || td.Name() != "plant.example" || d.TrustBundleURI != "https://"+w.addr+miaf.DefaultBundlePath {
		t.Fatalf("discovery %d %s: %+v %v", resp.StatusCode, body, d, err)
	}
	resp, body = wellKnown(t, w, miaf.DefaultBundlePath, "")
	bundle, err := miaf.ParseBundle(td, body)
	if resp.StatusCode != 200 || err != nil || bundle.Sequence() < 1 || len(bundle.Anchors()) != 2 {
		t.Fatalf("bundle %d %s: %v", resp.StatusCode, body, err)
	}
	if again, _ := wellKnown(t, w, miaf.DefaultBundlePath, resp.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match with the ETag: %d, want 304", again.StatusCode)
	}
	// The WFM's TLS certificate (from the P1 CA) verifies against the bundle
	// alone, so rc.3 clients can share the P1 listener.
	conn, err := tls.Dial("tcp", w.addr, &tls.Config{RootCAs: bundle.Pool(), ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("the WFM's TLS certificate does not verify against the trust bundle: %v", err)
	}
	_ = conn.Close()

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	code, out := w.operator(t, http.MethodPost, "/clients/edge-1/svid", "application/x-pem-file", csr)
	block, _ := pem.Decode(out)
	if code != http.StatusCreated || block == nil {
		t.Fatalf("issue: %d %s", code, out)
	}
	svid, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	id, err := miaf.Verify([]*x509.Certificate{svid}, bundle, time.Now())
	if err != nil || id.String() != "spiffe://plant.example/margo/wfm/wfm-7/client/edge-1" {
		t.Fatalf("the issued SVID: %s %v", id, err)
	}
	for _, bad := range []struct {
		path string
		body []byte
		code int
	}{
		{"/clients/edge-1/svid", []byte("not a CSR"), http.StatusBadRequest},
		{"/clients/a.b~c/svid", csr, http.StatusUnprocessableEntity},
	} {
		if code, out := w.operator(t, http.MethodPost, bad.path, "", bad.body); code != bad.code || !json.Valid(out) {
			t.Errorf("POST %s: %d %s, want %d problem", bad.path, code, out, bad.code)
		}
	}
	if f := readFile(t, filepath.Join(w.dir, "bundle.pem")); strings.Count(string(f), "BEGIN CERTIFICATE") != 2 {
		t.Fatalf("bundleFile:\n%s", f)
	}
}
