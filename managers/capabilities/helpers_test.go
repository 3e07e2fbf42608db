package capabilities

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

const (
	clientA  = "client-a"
	clientB  = "client-b"
	deviceID = "northstarida.xtapro.k8s.edge"
	gateway  = "gateway1"
	child    = "gateway1/child1"
)

// newManager builds a manager over store the way the host does.
func newManager(t testing.TB, store state.Store, cfg string, uses ...map[string]module.Module) *Manager {
	t.Helper()
	m := &Manager{}
	if err := config.DecodeModule("t.json", "m.config", []byte(cfg), m.ConfigTarget()); err != nil {
		t.Fatalf("config: %v", err)
	}
	u := map[string]module.Module{"state": store}
	for _, more := range uses {
		for k, v := range more {
			u[k] = v
		}
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if err := m.Init(context.Background(), &module.Env{Logger: logger, Uses: u}); err != nil {
		t.Fatalf("init: %v", err)
	}
	return m
}

// newMemory returns a manager over a fresh memory store.
func newMemory(t testing.TB, cfg string) *Manager {
	t.Helper()
	return newManager(t, memory.New(), cfg)
}

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

// wantFault fails unless err carries code (and typ, when not "").
func wantFault(t testing.TB, err error, code fault.Code, typ string) *fault.Error {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	if typ != "" && fe.Type != typ {
		t.Fatalf("got type %q, want %q (%v)", fe.Type, typ, err)
	}
	return fe
}

// must fails the test on err.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
