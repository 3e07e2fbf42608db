package compose

import (
	"archive/tar"
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/openpgp" //nolint:staticcheck // matches verify.go

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

func TestTarGzPackageOverHTTP(t *testing.T) {
	p, cli := newProvider(t), dockerClient(t)
	yaml := strings.Replace(strings.ReplaceAll(webYAML, "{{IMAGE}}", image(t)), "    volumes:", "    env_file: [extra.env]\n    volumes:", 1)
	archive := tarGz(t,
		entry{name: "app/", typ: tar.TypeDir},
		entry{name: "app/compose.yaml", body: yaml},
		entry{name: "app/extra.env", body: "EXTRA=from-the-archive\n"},
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pkg/web-1.0.0.tar.gz" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(archive)
	}))
	defer srv.Close()

	c := component("c0ffee00-0000-4000-8000-000000000003", "web", srv.URL+"/pkg/web-1.0.0.tar.gz", "1.0.0", map[string]any{"GREETING": "tar"})
	cleanupProject(t, c)
	var events []workload.Event
	s, err := p.Apply(t.Context(), c, func(e workload.Event) { events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	if s.Phase != workload.Installed || s.Revision != "1.0.0" {
		t.Fatalf("status %+v", s)
	}
	if len(events) < 2 {
		t.Fatalf("events %+v: want fetch and compose progress", events)
	}
	verifyEnv(t, p, c)
	info, err := cli.ContainerInspect(t.Context(), onlyContainer(t, cli, c))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(info.Config.Env, "\n"), "EXTRA=from-the-archive") {
		t.Fatalf("env %q lacks the archive's env_file", info.Config.Env)
	}

	missing := c
	missing.Name, missing.Repository = "missing", srv.URL+"/pkg/nope.tar.gz"
	if _, err := p.Apply(t.Context(), missing, nil); !fault.Is(err, fault.NotFound) {
		t.Fatalf("Apply of a 404 package: %v, want not-found", err)
	}
}

func TestUnsafeArchiveApplyFails(t *testing.T) {
	p := newProvider(t)
	path := filepath.Join(t.TempDir(), "evil.tar.gz")
	if err := os.WriteFile(path, tarGz(t, entry{name: "compose.yaml", body: "services: {}\n"}, entry{name: "../evil", body: "x"}), 0o600); err != nil {
		t.Fatal(err)
	}
	c := component("c0ffee00-0000-4000-8000-000000000004", "evil", "file://"+path, "1", nil)
	cleanupProject(t, c)
	if _, err := p.Apply(t.Context(), c, nil); !fault.Is(err, fault.BadRequest) {
		t.Fatalf("Apply of an unsafe archive: %v, want bad-request", err)
	}
	if _, err := p.Status(t.Context(), c); !fault.Is(err, fault.NotFound) {
		t.Fatalf("Status after a rejected package: %v, want not-found", err)
	}
}

func TestWaitTimeout(t *testing.T) {
	p := newProvider(t)
	c := component("c0ffee00-0000-4000-8000-000000000005", "stuck", writePackage(t, "timeout/compose.yaml", stuckYAML), "1", nil)
	c.Timeout = 2 * time.Second
	cleanupProject(t, c)
	start := time.Now()
	s, err := p.Apply(t.Context(), c, nil)
	if !fault.Is(err, fault.Timeout) || s.Phase != workload.Failed {
		t.Fatalf("Apply of a never-healthy service: %+v, %v (code %q); want failed with a timeout", s, err, fault.CodeOf(err))
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("Apply took %s with a 2s timeout", took)
	}
	if st, err := p.Status(t.Context(), c); err != nil || st.Phase != workload.Failed {
		t.Fatalf("Status after the timeout: %+v, %v; want failed", st, err)
	}
}

func TestSignedPackage(t *testing.T) {
	p := newProvider(t)
	dir := t.TempDir()
	pkg := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(pkg, []byte(strings.ReplaceAll(webYAML, "{{IMAGE}}", image(t))), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := openpgp.NewEntity("cadenza test", "", "test@cadenza.invalid", nil)
	if err != nil {
		t.Fatal(err)
	}
	var key, sig bytes.Buffer
	if err := signer.Serialize(&key); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(pkg)
	if err := openpgp.ArmoredDetachSign(&sig, signer, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "key.gpg")
	_ = os.WriteFile(keyFile, key.Bytes(), 0o600)
	_ = os.WriteFile(pkg+".asc", sig.Bytes(), 0o600)

	c := component("c0ffee00-0000-4000-8000-000000000006", "signed", pkg, "1", nil)
	c.KeyLocation = keyFile
	cleanupProject(t, c)
	if _, err := p.Apply(t.Context(), c, nil); err != nil {
		t.Fatalf("Apply of a signed package: %v", err)
	}
	_ = os.WriteFile(pkg, append(data, "# tampered\n"...), 0o600)
	if _, err := p.Apply(t.Context(), c, nil); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("Apply of a tampered package: %v, want forbidden", err)
	}
}
