package testserver

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// connack sends a minimal MQTT 3.1.1 CONNECT and reads the CONNACK, proving
// a broker (not just a socket) answers.
func connack(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	// CONNECT: protocol "MQTT" level 4, clean session, keep-alive 10s, client id "t".
	pkt := []byte{0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 10, 0, 1, 't'}
	if _, err := c.Write(pkt); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	resp := make([]byte, 4)
	for i := range resp {
		if resp[i], err = r.ReadByte(); err != nil {
			t.Fatalf("read CONNACK: %v", err)
		}
	}
	if resp[0] != 0x20 || resp[3] != 0 {
		t.Fatalf("CONNACK % x, want 20 02 00 00", resp)
	}
}

func TestMosquittoStartsStopsAndRestartsOnTheSamePort(t *testing.T) {
	b := Mosquitto(t)
	connack(t, b.Addr())
	addr := b.Addr()
	b.Stop()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("the broker still accepts connections after Stop")
	}
	b.Stop() // idempotent
	b.Start()
	if b.Addr() != addr {
		t.Fatalf("restarted on %s, want %s", b.Addr(), addr)
	}
	connack(t, b.Addr())
	b.Start() // no-op while running
	if b.URL() != "mqtt://"+addr {
		t.Fatalf("URL %s", b.URL())
	}
}

func TestTwoBrokersGetDifferentPorts(t *testing.T) {
	a, b := Mosquitto(t), Mosquitto(t)
	if a.Port() == b.Port() {
		t.Fatalf("both on port %d", a.Port())
	}
	connack(t, a.Addr())
	connack(t, b.Addr())
}

func TestMissingBinaryMessageIsActionable(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	bin, err := findMosquitto()
	if err == nil {
		// Installed in a fixed location outside PATH (the usual case on Debian).
		if bin == "" {
			t.Fatal("no path and no error")
		}
		return
	}
	if want := "apt-get install mosquitto"; !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not say %q", err, want)
	}
}
