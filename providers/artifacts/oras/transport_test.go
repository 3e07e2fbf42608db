package oras

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// slowRetries makes a retried failure take well over notRetried.
func slowRetries(c *Config) {
	c.Retries = 3
	c.Backoff = config.Duration(2 * time.Second)
}

// notRetried bounds a failure that must not be retried.
const notRetried = time.Second

// A plain-HTTP registry is reached over HTTPS unless its config says
// plainHTTP: the pull fails at once naming the setting, and never
// downgrades, not even on loopback.
func TestPlainHTTPOnlyWhenConfigured(t *testing.T) {
	reg := testserver.Registry(t)
	data, _ := pushRandom(t, reg, "plain/app:1.0", 1000)
	ref := reg.Ref("plain/app:1.0")

	p := newTestPuller(t, slowRetries)
	start := time.Now()
	_, err := p.Pull(t.Context(), ref, artifacts.PullOptions{})
	wantCode(t, err, fault.Unavailable, reg.Host, "plainHTTP", "answers plain HTTP")
	if took := time.Since(start); took > notRetried {
		t.Fatalf("a plain-HTTP registry reached over HTTPS took %s to fail: a config error must not be retried", took)
	}
	if retryable(err) {
		t.Fatalf("error %v is marked retryable", err)
	}

	a, err := newTestPuller(t, plain(reg.Host)).Pull(t.Context(), ref, artifacts.PullOptions{})
	if err != nil {
		t.Fatalf("with plainHTTP: %v", err)
	}
	sameFile(t, a.Path, data)
}

// A TLS registry: its CA must be configured (or verification turned off);
// an untrusted certificate fails at once naming registries.ca, and a
// plainHTTP setting for it fails with a hint.
func TestTLSWithCustomCA(t *testing.T) {
	reg := testserver.StartRegistry(t, testserver.RegistryOptions{TLS: true})
	data, _ := pushRandom(t, reg, "tls/app:1.0", 2000)
	ref := reg.Ref("tls/app:1.0")

	start := time.Now()
	_, err := newTestPuller(t, slowRetries).Pull(t.Context(), ref, artifacts.PullOptions{})
	wantCode(t, err, fault.Unavailable, "not trusted", "registries[\""+reg.Host+"\"].ca")
	if took := time.Since(start); took > notRetried {
		t.Fatalf("an untrusted certificate took %s to fail: it must not be retried", took)
	}

	for name, r := range map[string]Registry{"ca": {CA: reg.CAFile}, "insecureSkipVerify": {InsecureSkipVerify: true}} {
		p := newTestPuller(t, func(c *Config) { c.Registries = map[string]Registry{reg.Host: r} })
		a, err := p.Pull(t.Context(), ref, artifacts.PullOptions{})
		if err != nil {
			t.Fatalf("with %s: %v", name, err)
		}
		sameFile(t, a.Path, data)
	}

	_, err = newTestPuller(t, plain(reg.Host)).Pull(t.Context(), ref, artifacts.PullOptions{})
	wantCode(t, err, fault.BadRequest, "does it serve HTTPS?")
}

// CA files are read at Init: a missing or empty one is a config error.
func TestCAFileErrorsAtInit(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, []byte("no certificate here"), 0o600); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{"/nonexistent/ca.pem": "cannot read", empty: "holds no PEM certificate"} {
		var cfg Config
		cfg.Defaults()
		cfg.CacheDir = t.TempDir()
		cfg.Registries = map[string]Registry{"r.example:5000": {CA: file}}
		_, err := New(cfg, nil)
		if err == nil {
			t.Fatalf("New with ca %q succeeded", file)
		}
		for _, hint := range []string{`registries["r.example:5000"]`, want} {
			if !strings.Contains(err.Error(), hint) {
				t.Errorf("New with ca %q: error %q does not mention %q", file, err, hint)
			}
		}
	}
}
