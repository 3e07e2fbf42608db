package cli

// cadenza identity issue against real WFMs in the test process, with and
// without a managers.identity.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/internal/wfmtest"
	"github.com/cadenza-edge/cadenza/margo/miaf"
)

// identityClientPrefix is the SPIFFE ID of the clients of identityWFM,
// without the client id.
const identityClientPrefix = "spiffe://plant.example/margo/wfm/wfm-e2e/client/"

// identityWFM starts the WFM of wfmtest.IdentityDoc and returns it with
// the environment that points the commands at it.
func identityWFM(t *testing.T) (*wfmtest.WFM, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	w := wfmtest.StartWFMWith(t, dir, wfmtest.IdentityDoc(t, dir))
	return w, map[string]string{"CADENZA_SERVER": w.OperatorURL(), "CADENZA_TOKEN": wfmtest.Token, "CADENZA_CACERT": w.CAFile}
}

// discoveredBundle is the bundle of the anchors in caFile, for the trust
// domain the WFM's discovery document names.
func discoveredBundle(t *testing.T, w *wfmtest.WFM, caFile string) *miaf.Bundle {
	t.Helper()
	res, err := w.HTTPClient().Get(w.URL + miaf.DiscoveryPath)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	_, td, err := miaf.ParseDiscovery(body)
	if err != nil {
		t.Fatalf("discovery document %s: %v", body, err)
	}
	anchors := readCerts(t, caFile)
	if len(anchors) == 0 {
		t.Fatalf("%s holds no certificate", caFile)
	}
	return miaf.NewBundle(td, 0, 0, anchors)
}

// readCerts parses the PEM certificates of file.
func readCerts(t *testing.T, file string) []*x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var certs []*x509.Certificate
	for block, rest := pem.Decode(b); block != nil; block, rest = pem.Decode(rest) {
		if block.Type != "CERTIFICATE" {
			t.Fatalf("%s holds a %s block", file, block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	return certs
}

// fileModes are the permission bits of the files of dir, by name.
func fileModes(t *testing.T, dir string) map[string]os.FileMode {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]os.FileMode{}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		modes[e.Name()] = info.Mode().Perm()
	}
	return modes
}

// newCSR is a key and its certificate signing request (DER).
func newCSR(t *testing.T) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "device"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, der
}

// verifySVID checks that the SVID (leaf first) verifies against bundle,
// is of client and certifies pub.
func verifySVID(t *testing.T, chain []*x509.Certificate, bundle *miaf.Bundle, client string, pub *ecdsa.PublicKey) {
	t.Helper()
	if len(chain) == 0 {
		t.Fatal("no SVID")
	}
	id, err := miaf.Verify(chain, bundle, time.Now())
	if err != nil || id.String() != identityClientPrefix+client {
		t.Fatalf("the SVID is of %s (%v), want %s%s verified", id, err, identityClientPrefix, client)
	}
	if !pub.Equal(chain[0].PublicKey) {
		t.Fatal("the SVID does not certify the key")
	}
}

func TestIdentityIssue(t *testing.T) {
	w, env := identityWFM(t)
	run := runner(env)

	t.Run("--out makes a key and writes key, SVID and every anchor of the trust bundle", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "edge-7")
		out, _ := run(t, 0, "identity", "issue", "edge-7", "--out", dir)
		keyPath, certPath, caPath := filepath.Join(dir, "svid-key.pem"), filepath.Join(dir, "svid-cert.pem"), filepath.Join(dir, "svid-ca.pem")
		if !strings.HasPrefix(out, "SPIFFE ID:     "+identityClientPrefix+"edge-7\nExpires:       ") ||
			!strings.Contains(out, "\nKey:           "+keyPath+" (ECDSA P-256, PKCS #8, mode 0600)\nSVID:          "+certPath+"\n") ||
			!strings.HasSuffix(out, "\nTrust bundle:  "+caPath+" (2 anchors of trust domain plant.example)\n") {
			t.Fatalf("stdout:\n%s", out)
		}
		if modes := fileModes(t, dir); !reflect.DeepEqual(modes, map[string]os.FileMode{"svid-key.pem": 0o600, "svid-cert.pem": 0o644, "svid-ca.pem": 0o644}) {
			t.Fatalf("files and modes in --out: %v", modes)
		}
		if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
			t.Fatalf("the --out folder made: %v %v, want mode 0700", st.Mode(), err)
		}
		b, _ := os.ReadFile(keyPath)
		block, _ := pem.Decode(b)
		if block == nil || block.Type != "PRIVATE KEY" {
			t.Fatalf("svid-key.pem is not a PEM PRIVATE KEY:\n%s", b)
		}
		key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		ec, ok := key.(*ecdsa.PrivateKey)
		if err != nil || !ok || ec.Curve != elliptic.P256() {
			t.Fatalf("svid-key.pem: %T %v, want an ECDSA P-256 PKCS #8 key", key, err)
		}
		svid := readCerts(t, certPath)
		verifySVID(t, svid, discoveredBundle(t, w, caPath), "edge-7", &ec.PublicKey)
		if exp := svid[0].NotAfter.UTC().Format(time.RFC3339); !strings.Contains(out, "\nExpires:       "+exp+" (in ") {
			t.Fatalf("stdout does not give the expiry %s:\n%s", exp, out)
		}

		// Issuing again replaces the three files with a new key and its SVID.
		out, _ = run(t, 0, "identity", "issue", "edge-7", "--out", dir, "-o", "json")
		var doc map[string]string
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("-o json: %v\n%s", err, out)
		}
		if doc["spiffeId"] != identityClientPrefix+"edge-7" || doc["trustDomain"] != "plant.example" || doc["keyFile"] != keyPath ||
			doc["certFile"] != certPath || doc["caFile"] != caPath || doc["notAfter"] == "" {
			t.Fatalf("-o json: %v", doc)
		}
		b2, _ := os.ReadFile(keyPath)
		if modes := fileModes(t, dir); string(b2) == string(b) || len(modes) != 3 || modes["svid-key.pem"] != 0o600 {
			t.Fatalf("issuing again: a new key %v, files %v", string(b2) != string(b), modes)
		}
	})

	t.Run("--csr prints the SVID of the device's key", func(t *testing.T) {
		key, der := newCSR(t)
		caDir := t.TempDir() // the bundle: as --out writes it
		run(t, 0, "identity", "issue", "edge-ca", "--out", caDir)
		bundle := discoveredBundle(t, w, filepath.Join(caDir, "svid-ca.pem"))
		for _, form := range []struct{ name, data string }{
			{"pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))},
			{"der", string(der)},
		} {
			csrFile := filepath.Join(t.TempDir(), "edge-9.csr")
			if err := os.WriteFile(csrFile, []byte(form.data), 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut := run(t, 0, "identity", "issue", "edge-9", "--csr", csrFile)
			if !strings.HasPrefix(out, "-----BEGIN CERTIFICATE-----\n") || !strings.HasPrefix(errOut, "issued the SVID of "+identityClientPrefix+"edge-9, ") {
				t.Fatalf("%s CSR: stdout:\n%s\nstderr:\n%s", form.name, out, errOut)
			}
			pemFile := filepath.Join(t.TempDir(), "svid.pem")
			_ = os.WriteFile(pemFile, []byte(out), 0o600)
			verifySVID(t, readCerts(t, pemFile), bundle, "edge-9", &key.PublicKey)
		}
	})

	t.Run("--csr with --out writes the SVID and the bundle, no key", func(t *testing.T) {
		key, der := newCSR(t)
		csrFile := filepath.Join(t.TempDir(), "edge-10.csr")
		if err := os.WriteFile(csrFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		out, _ := run(t, 0, "identity", "issue", "edge-10", "--csr", csrFile, "--out", dir)
		if strings.Contains(out, "Key:") || !strings.Contains(out, "SVID:          "+filepath.Join(dir, "svid-cert.pem")+"\n") {
			t.Fatalf("stdout:\n%s", out)
		}
		if modes := fileModes(t, dir); !reflect.DeepEqual(modes, map[string]os.FileMode{"svid-cert.pem": 0o644, "svid-ca.pem": 0o644}) {
			t.Fatalf("files and modes in --out: %v", modes)
		}
		verifySVID(t, readCerts(t, filepath.Join(dir, "svid-cert.pem")), discoveredBundle(t, w, filepath.Join(dir, "svid-ca.pem")), "edge-10", &key.PublicKey)
	})

	// A client id that cannot be a SPIFFE ID path segment is the WFM's 422,
	// which names it; nothing is written.
	for _, bad := range []string{"edge 8", "..", "édge"} {
		t.Run("client id "+bad+" is refused", func(t *testing.T) {
			dir := t.TempDir()
			out, errOut := run(t, 1, "identity", "issue", bad, "--out", dir)
			if out != "" || !strings.HasPrefix(errOut, "cadenza identity issue: Unprocessable Entity (422): client id \""+bad+"\" cannot be part of a SPIFFE ID") {
				t.Fatalf("stdout %q\nstderr %q", out, errOut)
			}
			if modes := fileModes(t, dir); len(modes) != 0 {
				t.Fatalf("a refused issue wrote %v", modes)
			}
		})
	}

	t.Run("a revoked client is refused", func(t *testing.T) {
		run(t, 0, "identity", "issue", "edge-12", "--out", t.TempDir())
		if status, body := w.Operator(t, http.MethodPost, "/clients/edge-12/revoke", nil, nil); status != http.StatusOK {
			t.Fatalf("revoke: %d %s", status, body)
		}
		dir := t.TempDir()
		out, errOut := run(t, 1, "identity", "issue", "edge-12", "--out", dir)
		if out != "" || !strings.HasPrefix(errOut, "cadenza identity issue: Conflict (409): client edge-12 is revoked") {
			t.Fatalf("stdout %q\nstderr %q", out, errOut)
		}
		if modes := fileModes(t, dir); len(modes) != 0 {
			t.Fatalf("a refused issue wrote %v", modes)
		}
	})

	t.Run("a CSR file that is no CSR is a usage error", func(t *testing.T) {
		csrFile := filepath.Join(t.TempDir(), "bad.csr")
		_ = os.WriteFile(csrFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("x")}), 0o600)
		out, errOut := run(t, 2, "identity", "issue", "edge-11", "--csr", csrFile)
		if out != "" || !strings.HasPrefix(errOut, "cadenza identity issue: --csr "+csrFile+": the PEM block is a CERTIFICATE, not a CERTIFICATE REQUEST\n") {
			t.Fatalf("stdout %q\nstderr %q", out, errOut)
		}
	})
}

// A WFM without a managers.identity serves neither the SVID route nor the
// trust bundle: the command says so and how to add one, and writes nothing.
func TestIdentityIssueWithoutAnIdentityManager(t *testing.T) {
	w := wfmtest.StartWFM(t, t.TempDir())
	run := runner(map[string]string{"CADENZA_SERVER": w.OperatorURL(), "CADENZA_TOKEN": wfmtest.Token, "CADENZA_CACERT": w.CAFile})
	const hint = "\nhint: add a managers.identity (with its \"trustDomain\") to the managers of vendors.margo and {\"ref\": \"<its name>\"} to those of vendors.fleet in the WFM's config, then restart the WFM (see samples/wfm.json)\n"
	dir := t.TempDir()
	_, errOut := run(t, 1, "identity", "issue", "edge-7", "--out", dir)
	if want := "cadenza identity issue: the WFM at " + w.URL + " has no identity manager (GET " + w.URL + "/.well-known/margo: Not Found (404)"; !strings.HasPrefix(errOut, want) || !strings.HasSuffix(errOut, hint) {
		t.Fatalf("--out: stderr %q\nwant it to start with %q", errOut, want)
	}
	if modes := fileModes(t, dir); len(modes) != 0 {
		t.Fatalf("wrote %v", modes)
	}

	_, der := newCSR(t)
	csrFile := filepath.Join(t.TempDir(), "edge.csr")
	_ = os.WriteFile(csrFile, der, 0o600)
	out, errOut := run(t, 1, "identity", "issue", "edge-7", "--csr", csrFile)
	if want := "cadenza identity issue: the WFM at " + w.URL + " has no identity manager (POST /clients/edge-7/svid: Not Found (404)"; out != "" || !strings.HasPrefix(errOut, want) || !strings.HasSuffix(errOut, hint) {
		t.Fatalf("--csr: stdout %q\nstderr %q\nwant it to start with %q", out, errOut, want)
	}
}

// The command's usage: --help exits 0; a missing CLIENT_ID or neither
// --out nor --csr is a usage error (exit 2), before any request.
func TestIdentityIssueUsage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // prefix
		stderr string // prefix
	}{
		{"--help", []string{"identity", "issue", "--help"}, 0, "usage: cadenza identity issue " + identityIssueSynopsis + "\n\nIssues the X.509-SVID", ""},
		{"the group's help", []string{"identities", "-h"}, 0, "usage: cadenza identity <command> [flags]\n\ncommands:\n  identity issue CLIENT_ID", ""},
		{"no CLIENT_ID", []string{"identity", "issue", "--out", "x"}, 2, "", "cadenza identity issue: missing arguments\nusage: cadenza identity issue CLIENT_ID"},
		{"neither --out nor --csr", []string{"identity", "issue", "edge-7"}, 2, "", "cadenza identity issue: give --out DIR (a new key, kept in DIR) or --csr FILE"},
		{"an empty CLIENT_ID", []string{"identity", "issue", "", "--out", "x"}, 2, "", "cadenza identity issue: CLIENT_ID is empty\n"},
		{"a missing --csr file", []string{"identity", "issue", "edge-7", "--csr", "/nonexistent/edge.csr"}, 2, "", "cadenza identity issue: --csr: open /nonexistent/edge.csr: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCtl(nil, nil, tc.args...)
			if code != tc.code || !strings.HasPrefix(out, tc.stdout) || !strings.HasPrefix(errOut, tc.stderr) || (tc.stdout == "") != (out == "") || (tc.stderr == "") != (errOut == "") {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
		})
	}
	if !slices.Contains(strings.Fields(Usage), "identity") {
		t.Fatal("the usage does not list identity")
	}
}
