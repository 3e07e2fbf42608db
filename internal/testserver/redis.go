package testserver

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Readiness polling: how often and how many times to try PING before
// giving up on a starting redis-server (5s in all). This waits for an
// external process, not for the code under test.
const (
	redisPollInterval = 25 * time.Millisecond
	redisPollTries    = 200
)

// Redis starts a redis-server for the test and returns its address
// ("127.0.0.1:PORT"). The server keeps nothing on disk and is killed when
// the test ends. A missing redis-server fails the test with the package to
// install; it never skips, so CI cannot pass by silently running nothing.
func Redis(t testing.TB) string {
	t.Helper()
	return StartRedis(t).Addr()
}

// RedisServer is a redis-server child process. Stop and Start restart it on
// the same port, so clients can test reconnection.
type RedisServer struct {
	t    testing.TB
	bin  string
	dir  string
	addr string

	mu     sync.Mutex
	cmd    *exec.Cmd     // nil while stopped
	exited chan struct{} // closed when cmd has exited and been reaped
}

// StartRedis starts a redis-server on a free loopback port with persistence
// off (no RDB snapshots, no AOF) and its working directory in t.TempDir().
// It fails the test when redis-server is not installed or does not answer
// PING within 5 seconds. The server is killed in t.Cleanup.
func StartRedis(t testing.TB) *RedisServer {
	t.Helper()
	return startRedis(t, "redis-server")
}

func startRedis(t testing.TB, name string) *RedisServer {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("redis-server not found: apt-get install redis-server (looked for %q in PATH: %v)", name, err)
	}
	s := &RedisServer{t: t, bin: bin, dir: t.TempDir()}
	t.Cleanup(s.kill)
	// Another process may take the free port between the probe and the
	// server's bind: try a few ports.
	var last string
	for range 3 {
		port, err := redisFreePort()
		if err != nil {
			t.Fatalf("testserver: no free loopback port: %v", err)
		}
		s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if last = s.start(); last == "" {
			return s
		}
	}
	t.Fatalf("testserver: %s", last)
	return nil
}

// Addr returns "127.0.0.1:PORT"; it stays the same across Stop and Start.
func (s *RedisServer) Addr() string { return s.addr }

// Stop kills the server and waits for it to exit. Its data is lost (the
// server runs without persistence).
func (s *RedisServer) Stop() {
	s.t.Helper()
	s.kill()
}

// Start starts the server again on the same port after Stop, and waits
// until it answers PING; it fails the test otherwise.
func (s *RedisServer) Start() {
	s.t.Helper()
	if msg := s.start(); msg != "" {
		s.t.Fatalf("testserver: restart: %s", msg)
	}
}

// start runs redis-server and waits for PING; it returns "" or what went wrong.
func (s *RedisServer) start() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return "redis-server at " + s.addr + " is already running"
	}
	_, port, _ := net.SplitHostPort(s.addr)
	cmd := exec.Command(s.bin,
		"--bind", "127.0.0.1", "--port", port,
		"--save", "", "--appendonly", "no",
		"--dir", s.dir, "--daemonize", "no")
	out := &redisLog{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Sprintf("cannot start %s: %v", s.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	for range redisPollTries {
		if redisPing(s.addr) == nil {
			s.cmd, s.exited = cmd, exited
			return ""
		}
		select {
		case <-exited:
			return fmt.Sprintf("redis-server on %s exited at start:\n%s", s.addr, out.tail())
		case <-time.After(redisPollInterval):
		}
	}
	_ = cmd.Process.Kill()
	<-exited
	return fmt.Sprintf("redis-server on %s did not answer PING within %s:\n%s", s.addr, redisPollInterval*redisPollTries, out.tail())
}

// kill stops a running server and waits for it; it does nothing when the
// server is stopped.
func (s *RedisServer) kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited // the exited process no longer holds the port
	s.cmd, s.exited = nil, nil
}

// redisPing sends PING over a fresh TCP connection and expects +PONG.
func redisPing(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// redisFreePort returns a loopback TCP port that was free a moment ago.
func redisFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// redisLog collects a child process's output.
type redisLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *redisLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the last 2 KiB of output.
func (b *redisLog) tail() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > 2048 {
		s = "..." + s[len(s)-2048:]
	}
	return s
}
