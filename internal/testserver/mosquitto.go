// Package testserver starts real external servers for tests: a mosquitto
// MQTT broker on a free loopback port, with Stop and Start for restart tests.
package testserver

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// startTimeout bounds how long a broker may take to accept connections.
const startTimeout = 10 * time.Second

// Broker is a mosquitto process listening on 127.0.0.1. It is killed when
// the test ends.
type Broker struct {
	t    testing.TB
	bin  string
	conf string
	port int

	mu   sync.Mutex
	cmd  *exec.Cmd
	exit chan struct{} // closed when the current process has exited
	out  *syncBuffer   // the current process's output, for failure messages
}

// Mosquitto starts a mosquitto broker with a generated config (a listener on
// a free loopback port, anonymous access, no persistence) and waits until it
// accepts connections. The test fails, never skips, when mosquitto is not
// installed.
func Mosquitto(t testing.TB) *Broker {
	t.Helper()
	bin, err := findMosquitto()
	if err != nil {
		t.Fatalf("%v", err)
	}
	b := &Broker{t: t, bin: bin}
	t.Cleanup(b.Stop)
	var lastErr error
	for range 3 { // another process may take the free port before mosquitto binds it
		port, err := freePort()
		if err != nil {
			t.Fatalf("testserver: no free loopback port: %v", err)
		}
		b.port = port
		b.conf = filepath.Join(t.TempDir(), "mosquitto.conf")
		cfg := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\nlog_dest stderr\nlog_type error\nlog_type warning\n", port)
		if err := os.WriteFile(b.conf, []byte(cfg), 0o600); err != nil {
			t.Fatalf("testserver: write the mosquitto config: %v", err)
		}
		if lastErr = b.start(); lastErr == nil {
			return b
		}
	}
	t.Fatalf("testserver: %v", lastErr)
	return nil
}

// findMosquitto looks on PATH and then in /usr/sbin, where Debian installs it.
func findMosquitto() (string, error) {
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/opt/homebrew/sbin/mosquitto"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("testserver: the mosquitto MQTT broker is not installed; the MQTT tests run against a real broker: " +
		"install it with `apt-get install mosquitto` (Debian/Ubuntu) or `brew install mosquitto` (macOS)")
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Addr is the broker's host:port.
func (b *Broker) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port)) }

// URL is the broker's mqtt:// URL.
func (b *Broker) URL() string { return "mqtt://" + b.Addr() }

// Port is the broker's TCP port.
func (b *Broker) Port() int { return b.port }

// Start starts the broker again on the same port after Stop and waits until
// it accepts connections; it fails the test when it cannot. It does nothing
// when the broker is running.
func (b *Broker) Start() {
	b.t.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		err := b.start()
		if err == nil {
			return
		}
		// The old process's socket may linger briefly after a kill.
		if time.Now().After(deadline) {
			b.t.Fatalf("testserver: restart on port %d: %v", b.port, err)
		}
		time.Sleep(50 * time.Millisecond) // waiting for the OS to release the port; nothing to wait on
	}
}

// start launches mosquitto and waits until it accepts TCP connections, or
// until it exits or startTimeout passes.
func (b *Broker) start() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd != nil {
		return nil
	}
	out := &syncBuffer{}
	cmd := exec.Command(b.bin, "-c", b.conf)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", b.bin, err)
	}
	exit := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exit) }()
	deadline := time.Now().Add(startTimeout)
	for {
		c, err := net.DialTimeout("tcp", b.Addr(), 200*time.Millisecond)
		if err == nil {
			c.Close()
			b.cmd, b.exit, b.out = cmd, exit, out
			return nil
		}
		select {
		case <-exit:
			return fmt.Errorf("mosquitto exited before accepting connections on %s: %s", b.Addr(), bytes.TrimSpace(out.Bytes()))
		case <-time.After(10 * time.Millisecond): // polling an external process: there is no event to wait on
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exit
			return fmt.Errorf("mosquitto did not accept connections on %s within %s: %s", b.Addr(), startTimeout, bytes.TrimSpace(out.Bytes()))
		}
	}
}

// Stop kills the broker (as a crash would) and waits for the process to
// exit. Connected clients see their connections drop. It does nothing when
// the broker is not running.
func (b *Broker) Stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		return
	}
	_ = b.cmd.Process.Kill()
	<-b.exit
	b.cmd, b.exit = nil, nil
}

// Output returns what the current (or last) mosquitto process logged.
func (b *Broker) Output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.out == nil {
		return ""
	}
	return string(b.out.Bytes())
}

// syncBuffer is a bytes.Buffer safe for the process's writers and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.buf.Bytes())
}
