package testserver

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestRedisAnswersPingAndStops(t *testing.T) {
	s := StartRedis(t)
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") {
		t.Fatalf("Addr %q is not on the loopback interface", s.Addr())
	}
	if err := redisPing(s.Addr()); err != nil {
		t.Fatalf("PING a started server: %v", err)
	}
	s.Stop()
	if err := redisPing(s.Addr()); err == nil {
		t.Fatal("a stopped server still answers PING")
	}
	s.Stop() // stopping twice is fine
	s.Start()
	if err := redisPing(s.Addr()); err != nil {
		t.Fatalf("PING after restart on the same port: %v", err)
	}
}

func TestRedisServersAreIndependent(t *testing.T) {
	a, b := Redis(t), Redis(t)
	if a == b {
		t.Fatalf("two servers share the address %s", a)
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends
// the calling goroutine, as the real one does.
type fatalRecorder struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = format
	if len(args) > 0 {
		f.msg = fmt.Sprintf(format, args...)
	}
	f.mu.Unlock()
	runtime.Goexit()
}

func TestMissingBinaryFailsWithInstallHint(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		startRedis(rec, "redis-server-that-does-not-exist")
		t.Error("startRedis returned with a missing binary")
	}()
	<-done
	if !strings.Contains(rec.msg, "apt-get install redis-server") {
		t.Fatalf("failure message %q lacks the install hint", rec.msg)
	}
}
