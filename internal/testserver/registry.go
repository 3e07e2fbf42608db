package testserver

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// registryBin is where Debian's docker-registry package installs the CNCF
// distribution registry (2.8).
const registryBin = "/usr/bin/docker-registry"

// registryStartTimeout bounds how long a registry may take to answer GET /v2/.
const registryStartTimeout = 10 * time.Second

// RegistryOptions choose a registry's transport and authentication.
type RegistryOptions struct {
	// TLS serves HTTPS with a certificate for 127.0.0.1 and localhost,
	// signed by a CA generated for this server (RegistryServer.CAFile).
	TLS bool
	// Username and Password, when both set, turn on basic auth (an
	// htpasswd file with the bcrypt hash of Password).
	Username, Password string
}

// RegistryServer is a docker-registry process on a free loopback port with
// filesystem storage in a temporary directory. It is killed when the test
// ends.
type RegistryServer struct {
	Host     string // "127.0.0.1:PORT"
	Root     string // the storage root directory
	CAFile   string // PEM of the CA that signed the server certificate; "" without TLS
	Username string // "" without auth
	Password string
	opts     RegistryOptions

	t    testing.TB
	bin  string
	conf string

	mu     sync.Mutex
	cmd    *exec.Cmd     // nil while stopped
	exited chan struct{} // closed when cmd has exited
	out    *redisLog
}

// Registry starts a plain-HTTP, anonymous registry (see StartRegistry).
func Registry(t testing.TB) *RegistryServer {
	t.Helper()
	return StartRegistry(t, RegistryOptions{})
}

// StartRegistry starts `docker-registry serve` with a generated config: a
// listener on a free 127.0.0.1 port, filesystem storage in t.TempDir(),
// TLS and basic auth as opts say. It waits until GET /v2/ answers and fails
// the test (never skips) when the registry is not installed or does not
// start within 10 seconds.
func StartRegistry(t testing.TB, opts RegistryOptions) *RegistryServer {
	t.Helper()
	return startRegistry(t, registryBin, opts)
}

func startRegistry(t testing.TB, bin string, opts RegistryOptions) *RegistryServer {
	t.Helper()
	if st, err := os.Stat(bin); err != nil || st.IsDir() {
		t.Fatalf("testserver: %s not found: apt-get install docker-registry (the OCI artifact tests run against a real registry)", bin)
	}
	dir := t.TempDir()
	s := &RegistryServer{Root: filepath.Join(dir, "storage"), opts: opts, t: t, bin: bin, conf: filepath.Join(dir, "config.yml")}
	t.Cleanup(s.Stop)
	var extra strings.Builder
	if opts.TLS {
		s.CAFile = filepath.Join(dir, "ca.pem")
		cert, key := filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")
		if err := writeTestPKI(s.CAFile, cert, key); err != nil {
			t.Fatalf("testserver: generate the registry's certificates: %v", err)
		}
		fmt.Fprintf(&extra, "  tls:\n    certificate: %s\n    key: %s\n", cert, key)
	}
	if opts.Username != "" && opts.Password != "" {
		s.Username, s.Password = opts.Username, opts.Password
		hash, err := bcrypt.GenerateFromPassword([]byte(opts.Password), bcrypt.MinCost)
		if err != nil {
			t.Fatalf("testserver: bcrypt: %v", err)
		}
		htpasswd := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(htpasswd, []byte(opts.Username+":"+string(hash)+"\n"), 0o600); err != nil {
			t.Fatalf("testserver: write htpasswd: %v", err)
		}
		fmt.Fprintf(&extra, "auth:\n  htpasswd:\n    realm: cadenza-test\n    path: %s\n", htpasswd)
	}
	var last error
	for range 3 { // another process may take the free port before the registry binds it
		port, err := freePort()
		if err != nil {
			t.Fatalf("testserver: no free loopback port: %v", err)
		}
		s.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		cfg := fmt.Sprintf(registryConfig, s.Root, s.Host, strconv.Itoa(port)+"-cadenza-test-secret") + extra.String()
		if err := os.WriteFile(s.conf, []byte(cfg), 0o600); err != nil {
			t.Fatalf("testserver: write the registry config: %v", err)
		}
		if last = s.start(); last == nil {
			return s
		}
	}
	t.Fatalf("testserver: %v", last)
	return nil
}

// registryConfig is the registry's config: storage root, listen address,
// upload secret; TLS and auth sections are appended. Tampering tests edit
// blobs on disk, so no blob descriptor cache sits in front of the storage.
const registryConfig = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: %s
  secret: %s
`

// URL is the registry's base URL (http:// or https://).
func (s *RegistryServer) URL() string {
	if s.opts.TLS {
		return "https://" + s.Host
	}
	return "http://" + s.Host
}

// Ref returns "oci://HOST/" + repoRef, e.g. Ref("charts/app:1.0").
func (s *RegistryServer) Ref(repoRef string) string { return "oci://" + s.Host + "/" + repoRef }

// BlobPath is the file holding the blob with digest ("sha256:...") in the
// registry's storage: overwrite it to serve tampered content.
func (s *RegistryServer) BlobPath(digest string) string {
	hex := strings.TrimPrefix(digest, "sha256:")
	if len(hex) < 2 {
		s.t.Fatalf("testserver: BlobPath(%q): not a sha256 digest", digest)
	}
	return filepath.Join(s.Root, "docker", "registry", "v2", "blobs", "sha256", hex[:2], hex, "data")
}

// Client returns an HTTP client that trusts the registry's CA.
func (s *RegistryServer) Client() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			s.t.Fatalf("testserver: read the registry CA: %v", err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// Stop kills the registry and waits for it to exit; its storage stays.
// It does nothing when the registry is stopped.
func (s *RegistryServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd, s.exited = nil, nil
}

// Start starts the registry again on the same port and storage after Stop.
func (s *RegistryServer) Start() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("testserver: restart: %v", err)
	}
}

// start runs the registry and waits until GET /v2/ answers 200 (or 401
// with auth on).
func (s *RegistryServer) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return nil
	}
	out := &redisLog{}
	cmd := exec.Command(s.bin, "serve", s.conf)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = registryEnv()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	client := s.Client()
	client.Timeout = time.Second
	deadline := time.Now().Add(registryStartTimeout)
	for time.Now().Before(deadline) {
		if resp, err := client.Get(s.URL() + "/v2/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				s.cmd, s.exited, s.out = cmd, exited, out
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("docker-registry on %s exited at start:\n%s", s.Host, out.tail())
		case <-time.After(20 * time.Millisecond): // polling an external process: there is no event to wait on
		}
	}
	_ = cmd.Process.Kill()
	<-exited
	return fmt.Errorf("docker-registry on %s did not answer GET /v2/ within %s:\n%s", s.Host, registryStartTimeout, out.tail())
}

// Output is what the current (or last) registry process logged.
func (s *RegistryServer) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out == nil {
		return ""
	}
	return s.out.tail()
}

// registryEnv is the test's environment without REGISTRY_* variables, which
// would override the generated config.
func registryEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REGISTRY_") {
			env = append(env, kv)
		}
	}
	return env
}
