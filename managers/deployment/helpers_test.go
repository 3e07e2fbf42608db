package deployment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cadenza-edge/cadenza/managers/base/basetest"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/bolt"
)

// The ids of the fixtures.
const (
	helmID    = "a3e2f5dc-912e-494f-8395-52cf3769bc06"
	composeID = "0f9a4c52-7d1e-4b8a-9c3f-2e6d8b1a5c70"
	clientA   = "client-a"
	clientB   = "client-b"
)

// newManager builds a manager over store the way the host does.
var newManager = basetest.New[Manager]

// newMemory returns a manager over a fresh memory store.
func newMemory(t testing.TB, cfg string) *Manager { return newManager(t, nil, cfg) }

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

// The shared helpers of the managers' tests.
var (
	wantFault = basetest.WantFault
	must      = basetest.Must
)

// version returns the client's manifest version.
func version(t testing.TB, m *Manager, client string) uint64 {
	t.Helper()
	v, err := m.Manifest(context.Background(), client)
	must(t, err)
	return v.Version
}
