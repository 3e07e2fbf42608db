package capabilities

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cadenza-edge/cadenza/managers/base/basetest"
	"github.com/cadenza-edge/cadenza/margo/document"
)

const (
	clientA  = "client-a"
	clientB  = "client-b"
	deviceID = "northstarida.xtapro.k8s.edge"
	gateway  = "gateway1"
	child    = "gateway1/child1"
)

// newManager builds a manager over store the way the host does.
var newManager = basetest.New[Manager]

// newMemory returns a manager over a fresh memory store.
func newMemory(t testing.TB, cfg string) *Manager { return newManager(t, nil, cfg) }

// doc reads and parses testdata/name, optionally replacing old by new in the bytes.
func doc(t testing.TB, name string, replace ...string) (*document.DeviceCapabilitiesManifest, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(replace); i += 2 {
		raw = bytes.ReplaceAll(raw, []byte(replace[i]), []byte(replace[i+1]))
	}
	d, err := document.ParseCapabilities(raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d, raw
}

// report reports testdata/name for device and returns created.
func report(t testing.TB, m *Manager, client, device, name string, replace ...string) bool {
	t.Helper()
	d, raw := doc(t, name, replace...)
	created, err := m.Report(context.Background(), client, device, d, raw)
	if err != nil {
		t.Fatalf("report %s as %q: %v", name, device, err)
	}
	return created
}

// The shared helpers of the managers' tests.
var (
	wantFault = basetest.WantFault
	must      = basetest.Must
)
