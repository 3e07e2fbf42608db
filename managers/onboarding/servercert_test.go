package onboarding

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

// serverCertConfig returns a config issuing the server certificate into dir.
func serverCertConfig(dir string, hosts ...string) string {
	if len(hosts) == 0 {
		hosts = []string{"127.0.0.1", "localhost", "wfm.example.com", "*.wfm.example.com"}
	}
	q := ""
	for i, h := range hosts {
		if i > 0 {
			q += ","
		}
		q += fmt.Sprintf("%q", h)
	}
	return fmt.Sprintf(`{"serverCertificate": {"cert": %q, "key": %q, "hosts": [%s], "validity": "720h"}}`,
		filepath.Join(dir, "wfm", "tls.pem"), filepath.Join(dir, "wfm", "tls-key.pem"), q)
}

func TestServerCertificateIssuedAndVerifiesForEachHost(t *testing.T) {
	dir := t.TempDir()
	m := newManager(t, memory.New(), serverCertConfig(dir))
	certFile, keyFile := filepath.Join(dir, "wfm", "tls.pem"), filepath.Join(dir, "wfm", "tls-key.pem")
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatalf("the written files are not a key pair: %v", err)
	}
	leaf := pair.Leaf
	roots := x509.NewCertPool()
	roots.AddCert(m.CACertificate())
	for _, host := range []string{"127.0.0.1", "localhost", "wfm.example.com", "node1.wfm.example.com"} {
		t.Run(host, func(t *testing.T) {
			_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: host, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
			if err != nil {
				t.Fatalf("verify for %s: %v", host, err)
			}
		})
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "other.example.com"}); err == nil {
		t.Error("the certificate verifies for a host it should not cover")
	}
	if d := time.Until(leaf.NotAfter); d < 719*time.Hour || d > 720*time.Hour {
		t.Errorf("valid for %s, want 720h", d)
	}
	for path, want := range map[string]os.FileMode{keyFile: 0o600, filepath.Dir(keyFile): 0o750} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got&^want != 0 {
			t.Errorf("%s has mode %o, want at most %o", path, got, want)
		}
	}
	handshake(t, pair, roots, "127.0.0.1")
}

// handshake runs a TLS 1.3 handshake over a pipe with the issued pair,
// the client trusting only the WFM's CA.
func handshake(t *testing.T, pair tls.Certificate, roots *x509.CertPool, host string) {
	t.Helper()
	c1, c2 := net.Pipe()
	srv := tls.Server(c1, &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS13})
	cli := tls.Client(c2, &tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS13})
	defer c1.Close()
	defer c2.Close()
	errc := make(chan error, 1)
	go func() { errc <- srv.Handshake() }()
	if err := cli.Handshake(); err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	go io.Copy(io.Discard, cli) // drain the server's session tickets
	if err := <-errc; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
}

func TestServerCertificateReissuedOnlyWhenNeeded(t *testing.T) {
	for _, tc := range []struct {
		name    string
		change  func(t *testing.T, dir string) (cfg string, store state.Store, now func() time.Time)
		reissue bool
	}{
		{"kept when valid", func(t *testing.T, dir string) (string, state.Store, func() time.Time) {
			return serverCertConfig(dir), nil, nil
		}, false},
		{"re-issued when the certificate file is deleted", func(t *testing.T, dir string) (string, state.Store, func() time.Time) {
			os.Remove(filepath.Join(dir, "wfm", "tls.pem"))
			return serverCertConfig(dir), nil, nil
		}, true},
		{"re-issued when the key file is deleted", func(t *testing.T, dir string) (string, state.Store, func() time.Time) {
			os.Remove(filepath.Join(dir, "wfm", "tls-key.pem"))
			return serverCertConfig(dir), nil, nil
		}, true},
		{"re-issued when unparseable", func(t *testing.T, dir string) (string, state.Store, func() time.Time) {
			writeFile(t, filepath.Join(dir, "wfm", "tls.pem"), []byte("garbage"))
			return serverCertConfig(dir), nil, nil
		}, true},
		{"re-issued when from another CA", func(t *testing.T, dir string) (string, state.Store, func() time.Time) {
			return serverCertConfig(dir), memory.New(), nil
		}, true},
		{"re-issued when a host is added", func(t *testing.T, dir string) (string, state.Store, func() time.Time) {
			return serverCertConfig(dir, "127.0.0.1", "localhost", "wfm.example.com", "*.wfm.example.com", "10.0.0.7"), nil, nil
		}, true},
		{"kept when a host is removed", func(t *testing.T, dir string) (string, state.Store, func() time.Time) {
			return serverCertConfig(dir, "localhost"), nil, nil
		}, false},
		{"kept with more than a third of its validity left", func(t *testing.T, dir string) (string, state.Store, func() time.Time) {
			return serverCertConfig(dir), nil, func() time.Time { return time.Now().Add(470 * time.Hour) }
		}, false},
		{"re-issued within a third of its validity", func(t *testing.T, dir string) (string, state.Store, func() time.Time) {
			return serverCertConfig(dir), nil, func() time.Time { return time.Now().Add(490 * time.Hour) }
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			store := state.Store(memory.New())
			newManager(t, store, serverCertConfig(dir))
			certFile := filepath.Join(dir, "wfm", "tls.pem")
			before, _ := os.ReadFile(certFile)

			cfg, other, now := tc.change(t, dir)
			if other != nil {
				store = other
			}
			m, err := tryManager(t, store, cfg, now)
			if err != nil {
				t.Fatalf("second Init: %v", err)
			}
			after, err := os.ReadFile(certFile)
			if err != nil {
				t.Fatal(err)
			}
			if got := !bytes.Equal(before, after); got != tc.reissue {
				t.Fatalf("re-issued = %v, want %v", got, tc.reissue)
			}
			if reason := m.ca.ServerProblem(m.cfg.ServerCertificate, m.now()); reason != "" {
				t.Fatalf("the certificate in place is not acceptable: %s", reason)
			}
		})
	}
}
