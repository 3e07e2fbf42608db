package deployment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/bolt"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

// The ids of the fixtures.
const (
	helmID    = "a3e2f5dc-912e-494f-8395-52cf3769bc06"
	composeID = "0f9a4c52-7d1e-4b8a-9c3f-2e6d8b1a5c70"
	clientA   = "client-a"
	clientB   = "client-b"
)

// quiet is a logger that drops everything below errors.
var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))

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
	if err := m.Init(context.Background(), &module.Env{Logger: quiet, Uses: u}); err != nil {
		t.Fatalf("init: %v", err)
	}
	return m
}

// newMemory returns a manager over a fresh memory store.
func newMemory(t testing.TB, cfg string) *Manager {
	t.Helper()
	return newManager(t, memory.New(), cfg)
}

// openBolt opens the bolt database at path and closes it at cleanup.
func openBolt(t *testing.T, path string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// fixture reads testdata/name.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withID returns the helm fixture (or another one holding helmID) with id instead.
func withID(b []byte, id string) []byte {
	return bytes.Replace(b, []byte(helmID), []byte(id), 1)
}

// testID returns the i-th deterministic UUIDv4 for tests.
func testID(i int) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
}

// manifestOf parses the served manifest body.
func manifestOf(t testing.TB, body []byte) *document.Manifest {
	t.Helper()
	mf, err := document.ParseManifest(body)
	if err != nil {
		t.Fatalf("served manifest does not parse: %v\n%s", err, body)
	}
	return mf
}

// statusOf builds a status report of id with every component in state s.
func statusOf(t testing.TB, id string, s document.State, components ...string) (*document.DeploymentStatusManifest, []byte) {
	t.Helper()
	st := &document.DeploymentStatusManifest{DeploymentID: id, Status: document.DeploymentStatus{State: s}}
	for _, c := range components {
		st.Components = append(st.Components, document.ComponentStatus{Name: c, State: s})
	}
	raw, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return st, raw
}

// helmComponents are the components of the helm fixture.
var helmComponents = []string{"database-services", "digitron-orchestrator"}

// wantFault fails unless err carries code (and typ, when not "").
func wantFault(t testing.TB, err error, code fault.Code, typ string) *fault.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
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

// version returns the client's manifest version.
func version(t testing.TB, m *Manager, client string) uint64 {
	t.Helper()
	v, err := m.Manifest(context.Background(), client)
	must(t, err)
	return v.Version
}
