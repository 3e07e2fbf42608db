package sync

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cadenza-edge/cadenza/margo/bundle"
	"github.com/cadenza-edge/cadenza/margo/client"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// fakeWFM is a test double of the WFM's device API (P1) on an httptest TLS
// server. It verifies every signature against the onboarded certificate
// and can be told to misbehave: tampered manifests, YAMLs and bundles,
// 404s, failures with Retry-After.
type fakeWFM struct {
	t      testing.TB
	srv    *httptest.Server
	caFile string

	mu       sync.Mutex
	clientID string
	pub      crypto.PublicKey
	version  uint64
	deps     map[string][]byte // deploymentId -> YAML
	calls    map[string]int    // onboarding, capabilities, manifest, yaml, bundle, status
	caps     []capsCall
	statuses []document.DeploymentStatusManifest

	// Knobs (set under mu through set).
	tamperManifest func(m *document.Manifest) // edits the manifest before it is served
	rawManifest    []byte                     // served verbatim when set
	serveYAML      map[string][]byte          // digest -> bytes served instead
	missingYAML    map[string]bool            // digest -> 404
	serveBundle    []byte                     // served instead of the real bundle
	statusCode     int                        // answer status posts with this (0: 200)
	downCode       int                        // answer everything with this (0: serve)
	retryAfter     int                        // Retry-After seconds on failures
	servedCA       []byte                     // DER served as the CA instead of the server's certificate
	wrongETag      bool                       // serve the manifest with an ETag that is not its digest
	flatOnly       bool                       // answer 422 to capabilities not in the flat P1 layout
	caEncoding     string                     // serve the CA in this client.CA* encoding ("": the spec's)
	prefix         string                     // the device API is mounted under this path; URLs are emitted without it
	onlyAlg        string                     // refuse signatures made with another algorithm (401)
}

type capsCall struct {
	method, deviceID string
	doc              document.DeviceCapabilitiesManifest
}

func newFakeWFM(t testing.TB) *fakeWFM {
	t.Helper()
	w := &fakeWFM{t: t, version: 1, deps: map[string][]byte{}, calls: map[string]int{}, serveYAML: map[string][]byte{}, missingYAML: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/onboarding/certificate", w.certificate)
	mux.HandleFunc("POST /api/v1/onboarding", w.onboard)
	mux.HandleFunc("POST /api/v1/clients/{cid}/capabilities/{dev}", w.capabilities)
	mux.HandleFunc("PUT /api/v1/clients/{cid}/capabilities/{dev}", w.capabilities)
	mux.HandleFunc("GET /api/v1/clients/{cid}/deployments", w.manifest)
	mux.HandleFunc("GET /api/v1/clients/{cid}/deployments/{id}/{digest}", w.yaml)
	mux.HandleFunc("GET /api/v1/clients/{cid}/bundles/{digest}", w.bundle)
	mux.HandleFunc("POST /api/v1/clients/{cid}/deployments/{id}/status", w.status)
	w.srv = httptest.NewTLSServer(w.guard(mux))
	t.Cleanup(w.srv.Close)
	w.caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(w.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *fakeWFM) url() string { return w.srv.URL + "/api/v1" }

// set changes the fake under its lock.
func (w *fakeWFM) set(f func(w *fakeWFM)) { w.mu.Lock(); defer w.mu.Unlock(); f(w) }

// count returns how often a kind of call was made.
func (w *fakeWFM) count(kind string) int { w.mu.Lock(); defer w.mu.Unlock(); return w.calls[kind] }

// assign replaces the deployments and bumps the manifest version.
func (w *fakeWFM) assign(yamls ...[]byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.deps = map[string][]byte{}
	for _, y := range yamls {
		d, err := document.ParseDeployment(y)
		if err != nil {
			w.t.Fatalf("test YAML: %v", err)
		}
		w.deps[d.ID()] = y
	}
	w.version++
}

// reports returns the status reports received, in order.
func (w *fakeWFM) reports() []document.DeploymentStatusManifest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.statuses)
}

// guard fails everything while down, and checks signatures of every call
// but the CA download and onboarding.
func (w *fakeWFM) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		down, ra, pub, cid, prefix, onlyAlg := w.downCode, w.retryAfter, w.pub, w.clientID, w.prefix, w.onlyAlg
		w.mu.Unlock()
		orig := r
		if prefix != "" {
			rest, ok := strings.CutPrefix(r.URL.Path, prefix)
			if !ok {
				http.Error(rw, "not found (mounted under "+prefix+")", http.StatusNotFound)
				return
			}
			// Route on the path below the mount; the signature covers the
			// request as sent (verified on orig, before anything reads it).
			r = r.Clone(r.Context())
			r.URL.Path, r.URL.RawPath = rest, ""
		}
		if down != 0 {
			if ra > 0 {
				rw.Header().Set("Retry-After", strconv.Itoa(ra))
			}
			http.Error(rw, "down", down)
			return
		}
		if r.URL.Path == "/api/v1/onboarding/certificate" || r.URL.Path == "/api/v1/onboarding" {
			next.ServeHTTP(rw, r)
			return
		}
		rest, _ := strings.CutPrefix(r.URL.Path, "/api/v1/clients/")
		if pub == nil || strings.Split(rest, "/")[0] != cid {
			http.Error(rw, "unknown client", http.StatusNotFound)
			return
		}
		msg, err := signature.FromRequest(orig)
		if err == nil {
			_, err = (&signature.Verifier{}).Verify(msg, r.Header.Get("Signature-Input"), r.Header.Get("Signature"), pub)
		}
		if err == nil && onlyAlg != "" && !strings.Contains(r.Header.Get("Signature-Input"), `alg="`+onlyAlg+`"`) {
			http.Error(rw, "this WFM verifies "+onlyAlg+" signatures only", http.StatusUnauthorized)
			return
		}
		if err != nil && onlyAlg == "" {
			w.t.Errorf("fake WFM: %s %s: bad signature: %v", r.Method, r.URL.Path, err)
		}
		if err != nil {
			http.Error(rw, "bad signature", http.StatusUnauthorized)
			return
		}
		r.Body = orig.Body // as FromRequest left it
		next.ServeHTTP(rw, r)
	})
}

func (w *fakeWFM) certificate(rw http.ResponseWriter, _ *http.Request) {
	w.mu.Lock()
	der := w.servedCA
	w.mu.Unlock()
	if der == nil {
		der = w.srv.Certificate().Raw
	}
	p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	w.mu.Lock()
	enc := w.caEncoding
	w.mu.Unlock()
	switch enc {
	case client.CAPEMBody:
		_, _ = rw.Write(p)
	case client.CAPEMField:
		writeJSON(rw, 200, map[string]string{"certificate": string(p)})
	case client.CABase64DER:
		writeJSON(rw, 200, map[string]string{"certificate": base64.StdEncoding.EncodeToString(der)})
	default:
		writeJSON(rw, 200, map[string]string{"certificate": base64.StdEncoding.EncodeToString(p)})
	}
}

func (w *fakeWFM) onboard(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, err := document.ParseOnboardingRequest(body)
	if err != nil {
		http.Error(rw, err.Error(), 400)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls["onboarding"]++
	w.pub = req.X509().PublicKey
	w.clientID = fmt.Sprintf("client-%d", w.calls["onboarding"])
	writeJSON(rw, 201, map[string]string{"clientId": w.clientID})
}

func (w *fakeWFM) capabilities(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	doc, err := document.ParseCapabilities(body)
	if err != nil {
		w.t.Errorf("fake WFM: invalid capabilities: %v", err)
		http.Error(rw, err.Error(), 422)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.flatOnly && doc.Shape != document.ShapeP1Flat {
		writeJSON(rw, 422, map[string]any{"type": "about:blank", "status": 422, "detail": "properties.cpus is required",
			"errors": []map[string]string{{"field": "properties.cpus", "message": "required"}}})
		return
	}
	w.calls["capabilities"]++
	w.caps = append(w.caps, capsCall{method: r.Method, deviceID: r.PathValue("dev"), doc: *doc})
	writeJSON(rw, 201, map[string]string{"status": "capabilities_received"})
}

// build returns the current manifest and its bundle.
func (w *fakeWFM) build() (*document.Manifest, []byte) {
	m := &document.Manifest{ManifestVersion: w.version, Deployments: []document.DeploymentRef{}}
	var entries []bundle.Entry
	for _, id := range sortedKeys(w.deps) {
		y := w.deps[id]
		d := document.DigestOf(y)
		m.Deployments = append(m.Deployments, document.DeploymentRef{DeploymentID: id, Digest: d, SizeBytes: uint64(len(y)),
			URL: "/api/v1/clients/" + w.clientID + "/deployments/" + id + "/" + d})
		entries = append(entries, bundle.Entry{Name: bundle.EntryName(id), Data: y})
	}
	if len(entries) == 0 {
		return m, nil
	}
	b, err := bundle.Write(entries)
	if err != nil {
		w.t.Fatal(err)
	}
	d := document.DigestOf(b)
	m.Bundle = &document.BundleRef{MediaType: document.BundleMediaType, Digest: d, SizeBytes: uint64(len(b)), URL: "/api/v1/clients/" + w.clientID + "/bundles/" + d}
	return m, b
}

func (w *fakeWFM) manifest(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls["manifest"]++
	body := w.rawManifest
	if body == nil {
		m, _ := w.build()
		if w.tamperManifest != nil {
			w.tamperManifest(m)
		}
		var err error
		if body, err = json.Marshal(m); err != nil {
			w.t.Fatal(err)
		}
	}
	etag := `"` + document.DigestOf(body) + `"`
	if w.wrongETag {
		etag = `"` + document.DigestOf(append(body, ' ')) + `"`
	}
	rw.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	rw.Header().Set("Content-Type", document.ManifestMediaType)
	_, _ = rw.Write(body)
}

func (w *fakeWFM) yaml(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls["yaml"]++
	d := r.PathValue("digest")
	if b, ok := w.serveYAML[d]; ok {
		_, _ = rw.Write(b)
		return
	}
	y, ok := w.deps[r.PathValue("id")]
	if !ok || document.DigestOf(y) != d || w.missingYAML[d] {
		http.Error(rw, "deployment-not-found", http.StatusNotFound)
		return
	}
	rw.Header().Set("Content-Type", document.YAMLMediaType)
	_, _ = rw.Write(y)
}

func (w *fakeWFM) bundle(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls["bundle"]++
	if w.serveBundle != nil {
		_, _ = rw.Write(w.serveBundle)
		return
	}
	m, b := w.build()
	if m.Bundle == nil || m.Bundle.Digest != r.PathValue("digest") {
		http.Error(rw, "invalid-bundle", http.StatusNotFound)
		return
	}
	rw.Header().Set("Content-Type", document.BundleMediaType)
	_, _ = rw.Write(b)
}

func (w *fakeWFM) status(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	st, err := document.ParseStatus(body)
	if err != nil || st.DeploymentID != r.PathValue("id") {
		w.t.Errorf("fake WFM: invalid status report %s: %v", body, err)
		http.Error(rw, "invalid", 422)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls["status"]++
	if w.statusCode != 0 {
		if w.retryAfter > 0 {
			rw.Header().Set("Retry-After", strconv.Itoa(w.retryAfter))
		}
		http.Error(rw, "status refused", w.statusCode)
		return
	}
	w.statuses = append(w.statuses, *st)
	writeJSON(rw, 200, map[string]string{"acknowledgement": "received"})
}

func writeJSON(rw http.ResponseWriter, code int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(code)
	_ = json.NewEncoder(rw).Encode(v)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
