// Package wfmtest starts Cadenza hosts in the test process, as `cadenza
// run` would (config file, runner plan, real bindings on loopback ports),
// for the end-to-end tests of the packages that talk to a running host
// (cli, operator). It registers the modules a WFM and the hello sample
// need, not the device-side workload providers.
package wfmtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/runner"
	"github.com/cadenza-edge/cadenza/internal/pubsubtesting"
	"github.com/cadenza-edge/cadenza/margo/client"

	_ "github.com/cadenza-edge/cadenza/bindings/http"         // bindings.http
	_ "github.com/cadenza-edge/cadenza/bindings/mqtt"         // bindings.mqtt
	_ "github.com/cadenza-edge/cadenza/managers/capabilities" // managers.capabilities
	_ "github.com/cadenza-edge/cadenza/managers/catalog"      // managers.catalog
	_ "github.com/cadenza-edge/cadenza/managers/deployment"   // managers.deployment
	_ "github.com/cadenza-edge/cadenza/managers/onboarding"   // managers.onboarding
	_ "github.com/cadenza-edge/cadenza/managers/rollout"      // managers.rollout
	_ "github.com/cadenza-edge/cadenza/providers/pubsub/memory"
	_ "github.com/cadenza-edge/cadenza/providers/registry/git"
	_ "github.com/cadenza-edge/cadenza/providers/state/bolt"
	_ "github.com/cadenza-edge/cadenza/providers/state/memory"
	_ "github.com/cadenza-edge/cadenza/samples/hello" // vendors.hello, managers.greeter
	_ "github.com/cadenza-edge/cadenza/vendors/fleet" // vendors.fleet
	_ "github.com/cadenza-edge/cadenza/vendors/margo" // vendors.margo
)

// Token is the operator token of the WFM Doc configures.
const Token = "e2e-token"

// Host is a running host.
type Host struct {
	// URL is the base URL of its first HTTP binding (http://127.0.0.1:port).
	URL string
	// Addr is that binding's host:port.
	Addr string
	// Log holds what the host logged.
	Log *pubsubtesting.LockedBuffer
	// Stop stops the host (once; the test's cleanup calls it too) and fails
	// the test if it did not stop cleanly.
	Stop func()
}

// Start runs the host config doc (its files in dir) until the test ends,
// and returns once everything started.
func Start(t testing.TB, dir, doc string) *Host {
	t.Helper()
	file := filepath.Join(dir, "host.json")
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	hc, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := runner.Build(file, hc)
	if err != nil {
		t.Fatal(err)
	}
	h := &Host{Log: &pubsubtesting.LockedBuffer{}}
	urls := &urlRecorder{Handler: slog.NewTextHandler(h.Log, nil), urls: make(chan string, 8)}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- plan.Run(ctx, runner.Options{Logger: slog.New(urls), Started: func() { close(started) }})
	}()
	select {
	case <-started:
	case err := <-done:
		cancel()
		t.Fatalf("the host did not start: %v\n%s", err, h.Log)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("the host did not start within a minute:\n%s", h.Log)
	}
	select {
	case h.URL = <-urls.urls:
	default:
		cancel()
		t.Fatalf("the host serves no HTTP binding:\n%s", h.Log)
	}
	h.Addr = h.URL[strings.Index(h.URL, "://")+3:]
	var once sync.Once
	h.Stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("the host stopped with %v\n%s", err, h.Log)
			}
		})
	}
	t.Cleanup(h.Stop)
	return h
}

// urlRecorder is a slog.Handler that passes records on and sends the url
// of every "serving" record (what bindings.http logs once it listens).
type urlRecorder struct {
	slog.Handler
	urls chan string
}

func (u *urlRecorder) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "serving" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "url" {
				select {
				case u.urls <- a.Value.String():
				default:
				}
			}
			return true
		})
	}
	return u.Handler.Handle(ctx, r)
}

func (u *urlRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &urlRecorder{Handler: u.Handler.WithAttrs(as), urls: u.urls}
}

func (u *urlRecorder) WithGroup(name string) slog.Handler {
	return &urlRecorder{Handler: u.Handler.WithGroup(name), urls: u.urls}
}

// WFM is a running WFM host.
type WFM struct {
	*Host
	Dir string
	// Roots trust the WFM's CA; CAFile holds it (PEM).
	Roots  *x509.CertPool
	CAFile string
}

// Doc is the config of a WFM whose state lives in dir: bolt, TLS from its
// onboarding CA, the device API, and the operator API (token Token) with a
// catalog (a git registry provider allowing local repositories) and a
// rollout manager.
func Doc(dir string) string {
	return fmt.Sprintf(`{
 "name": "wfm-e2e",
 "providers": {"store": {"type": "state.bolt", "config": {"path": %[1]q}}, "events": {"type": "pubsub.memory"},
   "apps": {"type": "registry.git", "config": {"allowLocal": true}}},
 "vendors": [
  {"type": "vendors.margo", "managers": [
    {"name": "onboarding", "type": "managers.onboarding", "uses": {"state": "store"},
     "config": {"serverCertificate": {"cert": %[2]q, "key": %[3]q, "hosts": ["127.0.0.1"]}}},
    {"name": "capabilities", "type": "managers.capabilities", "uses": {"state": "store", "events": "events"}},
    {"name": "deployment", "type": "managers.deployment", "uses": {"state": "store", "events": "events"}}]},
  {"type": "vendors.fleet", "config": {"tokens": [%[4]q]}, "managers": [{"ref": "onboarding"}, {"ref": "capabilities"}, {"ref": "deployment"},
    {"name": "catalog", "type": "managers.catalog", "uses": {"state": "store", "registry": "apps"}},
    {"name": "rollout", "type": "managers.rollout", "uses": {"state": "store"}}]}],
 "bindings": [{"type": "bindings.http", "config": {"listen": "127.0.0.1:0", "tls": {"cert": %[2]q, "key": %[3]q}}}]
}`, filepath.Join(dir, "wfm.db"), filepath.Join(dir, "tls.pem"), filepath.Join(dir, "tls-key.pem"), Token)
}

// StartWFM runs the WFM of Doc(dir) and fetches its CA (trust on first
// use, then pinned: the CA issued the server certificate).
func StartWFM(t testing.TB, dir string) *WFM {
	t.Helper()
	return StartWFMWith(t, dir, Doc(dir))
}

// StartWFMWith is StartWFM with the config doc (Doc or IdentityDoc, edited
// or not).
func StartWFMWith(t testing.TB, dir, doc string) *WFM {
	t.Helper()
	w := &WFM{Host: Start(t, dir, doc), Dir: dir}
	c := w.NewDevice(t)
	ca, err := c.CACertificate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	w.Roots = x509.NewCertPool()
	w.Roots.AddCert(ca)
	w.CAFile = filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(w.CAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

// OperatorURL is the base URL of the operator API.
func (w *WFM) OperatorURL() string { return w.URL + "/fleet/v1" }

// HTTPClient is a client that trusts the WFM's CA.
func (w *WFM) HTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: w.Roots, MinVersion: tls.VersionTLS12}}}
}

// Device is a device identity and its device API client.
type Device struct {
	Key  *ecdsa.PrivateKey
	Cert *x509.Certificate
	*client.Client
}

// NewDevice is a new device identity with a client of the WFM's device
// API (trusting its CA once fetched; before, any certificate).
func (w *WFM) NewDevice(t testing.TB) *Device {
	t.Helper()
	d := &Device{}
	d.Key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "e2e device"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &d.Key.PublicKey, d.Key)
	if err != nil {
		t.Fatal(err)
	}
	d.Cert, _ = x509.ParseCertificate(der)
	opts := client.Options{BaseURL: w.URL + "/api/v1", Key: d.Key, Certificate: d.Cert, Roots: w.Roots}
	if w.Roots == nil {
		opts.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // only for the CA download
	}
	if d.Client, err = client.New(opts); err != nil {
		t.Fatal(err)
	}
	return d
}

// Onboarded is a new device, onboarded.
func (w *WFM) Onboarded(t testing.TB) *Device {
	t.Helper()
	d := w.NewDevice(t)
	if _, err := d.Onboard(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// Capabilities is a P1 capabilities document of device id.
func Capabilities(id string) []byte {
	return fmt.Appendf(nil, `{"apiVersion":"device.margo.org/v1alpha1","kind":"DeviceCapabilitiesManifest","properties":{"id":%q,"vendor":"Northstar","modelNumber":"N1","serialNumber":"S1","roles":["Standalone Device"],"resources":{"cpu":{"cores":4,"architecture":"amd64"},"memory":"8Gi","storage":"64Gi","peripherals":[],"interfaces":[]}}}`, id)
}

// Status is a status report of deployment id: state for it and each component.
func Status(id, state string, components ...string) []byte {
	var cs []string
	for _, c := range components {
		cs = append(cs, fmt.Sprintf(`{"name":%q,"state":%q}`, c, state))
	}
	return fmt.Appendf(nil, `{"apiVersion":"deployment.margo.org/v1alpha1","kind":"DeploymentStatusManifest","deploymentId":%q,"status":{"state":%q},"components":[%s]}`, id, state, strings.Join(cs, ","))
}

// Operator calls the operator API with the token and returns the status and body.
func (w *WFM) Operator(t testing.TB, method, path string, headers map[string]string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, w.OperatorURL()+path, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+Token)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := w.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}
