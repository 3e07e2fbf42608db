package compose

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
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/openpgp" //nolint:staticcheck // matches verify.go

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// privateCA is a CA of the test's own and a server certificate it issued
// for 127.0.0.1.
type privateCA struct {
	pem    []byte // the CA certificate, PEM
	server tls.Certificate
}

func newPrivateCA(t *testing.T) privateCA {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cadenza test private CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return privateCA{
		pem:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		server: tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key},
	}
}

// tempFile writes data to name in a temporary directory and returns its path.
func tempFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHTTPSPackageFromPrivateCATrustedThroughCAFile: an https:// package,
// its detached signature and its key served with a certificate of a private
// CA fail to fetch with the system roots only, with an unavailable error
// saying to set caFile; with caFile naming that CA (or a bundle holding it)
// the signed package installs; with caFile naming another CA the fetch
// still fails and the error names that caFile.
func TestHTTPSPackageFromPrivateCATrustedThroughCAFile(t *testing.T) {
	ca, other := newPrivateCA(t), newPrivateCA(t)

	yaml := []byte(strings.ReplaceAll(webYAML, "{{IMAGE}}", image(t)))
	signer, err := openpgp.NewEntity("cadenza test", "", "test@cadenza.invalid", nil)
	if err != nil {
		t.Fatal(err)
	}
	var key, sig bytes.Buffer
	if err := signer.Serialize(&key); err != nil {
		t.Fatal(err)
	}
	if err := openpgp.ArmoredDetachSign(&sig, signer, bytes.NewReader(yaml), nil); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"/pkg/compose.yaml": yaml, "/pkg/compose.yaml.asc": sig.Bytes(), "/keys/signer.gpg": key.Bytes()}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(body)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.server}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("server URL %s, want https on 127.0.0.1", srv.URL)
	}

	bundle := append(append([]byte{}, other.pem...), ca.pem...)
	for i, tc := range []struct {
		name   string
		caFile string // "": none
		want   []string
	}{
		{name: "system roots only", want: []string{"not signed by a trusted CA", "set caFile"}},
		{name: "caFile of another CA", caFile: tempFile(t, "other.pem", other.pem), want: []string{"caFile", "other.pem"}},
		{name: "caFile of the CA", caFile: tempFile(t, "ca.pem", ca.pem)},
		{name: "caFile bundle holding the CA", caFile: tempFile(t, "bundle.pem", bundle)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(Config{WorkDir: t.TempDir(), AllowFileURLs: true, CAFile: tc.caFile}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			c := component(fmt.Sprintf("c0ffee00-0000-4000-8000-0000000002%02d", i), "web", srv.URL+"/pkg/compose.yaml", "1", nil)
			c.KeyLocation = srv.URL + "/keys/signer.gpg"
			cleanupProject(t, c)
			s, err := p.Apply(t.Context(), c, nil)
			if tc.want == nil {
				if err != nil || s.Phase != workload.Installed {
					t.Fatalf("Apply with caFile %s: %+v, %v; want installed", tc.caFile, s, err)
				}
				return
			}
			t.Logf("Apply: %v", err)
			if !fault.Is(err, fault.Unavailable) {
				t.Fatalf("Apply: %v (code %q), want unavailable", err, fault.CodeOf(err))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if _, err := p.Status(t.Context(), c); !fault.Is(err, fault.NotFound) {
				t.Errorf("Status after the refused fetch: %v, want not-found", err)
			}
		})
	}
}

// TestConfigCAFile: caFile is checked when the config is validated: a
// missing file or one without a PEM certificate is a config error naming
// the JSON path and the reason; a PEM bundle is accepted.
func TestConfigCAFile(t *testing.T) {
	ca := newPrivateCA(t)
	good := tempFile(t, "ca.pem", ca.pem)
	noPEM := tempFile(t, "ca.der", []byte("not a PEM file\n"))
	keyOnly := tempFile(t, "key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}))
	badCert := tempFile(t, "bad.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}}))
	missing := filepath.Join(t.TempDir(), "absent.pem")
	for _, tc := range []struct {
		name, file string
		want       string // "" when valid
	}{
		{"PEM bundle", good, ""},
		{"missing file", missing, "cannot read"},
		{"not PEM", noPEM, "holds no PEM certificate"},
		{"PEM without a certificate", keyOnly, "holds no PEM certificate"},
		{"invalid certificate", badCert, "certificate 1 is not valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, _ := json.Marshal(map[string]string{"caFile": tc.file})
			var target Config
			err := config.DecodeModule("agent.json", "providers.compose.config", raw, &target)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("valid caFile: %v", err)
				}
				if _, err := New(target, nil, nil); err != nil {
					t.Fatalf("New with a valid caFile: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("caFile %s was accepted", tc.file)
			}
			for _, w := range []string{"agent.json", "providers.compose.config.caFile", tc.want, filepath.Base(tc.file)} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("config error %q does not say %q", err, w)
				}
			}
			target.WorkDir = t.TempDir()
			if _, err := New(target, nil, nil); err == nil || !strings.Contains(err.Error(), "caFile") {
				t.Errorf("New with caFile %s: %v, want a caFile error", tc.file, err)
			}
		})
	}
}
