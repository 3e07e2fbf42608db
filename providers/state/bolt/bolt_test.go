package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/coa/state/statetest"
)

// openTemp opens a store in a fresh temporary directory, closed at cleanup.
func openTemp(t testing.TB, opts Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "state", "wfm.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeStore(t, s) })
	return s
}

func closeStore(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Close(context.Background()); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestConformance(t *testing.T) {
	statetest.Run(t,
		func(t *testing.T) state.Store { return openTemp(t, Options{}) },
		statetest.Reopen(func(t *testing.T, s state.Store) state.Store {
			old := s.(*Store)
			path := old.Path()
			closeStore(t, old)
			reopened, err := Open(path, Options{})
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			t.Cleanup(func() { closeStore(t, reopened) })
			return reopened
		}),
	)
}

func TestConformanceNoSync(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Store { return openTemp(t, Options{NoSync: true}) })
}

func TestOpenCreatesDirectoryAndFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "wfm.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore(t, s)
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o750 | os.ModeDir, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s has mode %v, want %v", p, fi.Mode(), want)
		}
	}
}

func TestOpenUnwritableDirectory(t *testing.T) {
	// Tests may run as root, which ignores permission bits: a directory
	// under a regular file cannot be created by anyone.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(filepath.Join(file, "sub", "wfm.db"), Options{})
	if err == nil {
		t.Fatal("Open under a regular file succeeded")
	}
	msg := err.Error()
	for _, want := range []string{"cannot create directory", file, "not a directory", "choose a writable path"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") || strings.Contains(msg, "mkdir") {
		t.Errorf("error %q should be one line without the raw syscall text", msg)
	}
}

func TestOpenPathIsDirectory(t *testing.T) {
	_, err := Open(t.TempDir(), Options{})
	if err == nil || !strings.Contains(err.Error(), "choose a writable path") {
		t.Fatalf("Open of a directory: %v, want a 'choose a writable path' error", err)
	}
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wfm.db")
	first, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore(t, first)

	const timeout = 100 * time.Millisecond
	start := time.Now()
	second, err := Open(path, Options{OpenTimeout: timeout})
	elapsed := time.Since(start)
	if err == nil {
		closeStore(t, second)
		t.Fatal("a second Open of a locked database succeeded")
	}
	if !errors.Is(err, bolterrors.ErrTimeout) {
		t.Errorf("error %v does not wrap bbolt's ErrTimeout", err)
	}
	msg := err.Error()
	for _, want := range []string{path, "is locked by another process", "is another cadenza running with this store?"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if elapsed > timeout+time.Second { // bbolt polls the lock every 50ms
		t.Errorf("gave up after %s, want about %s", elapsed, timeout)
	}
}

func TestClosedStore(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "wfm.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := s.Health(ctx); err != nil {
		t.Fatalf("Health of an open store: %v", err)
	}
	closeStore(t, s)
	closeStore(t, s) // twice is fine
	if err := s.Health(ctx); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Health of a closed store: %v, want Unavailable", err)
	}
	if _, err := s.Put(ctx, "k", nil, state.Always()); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Put on a closed store: %v, want Unavailable", err)
	}
	if _, err := s.Get(ctx, "k"); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Get on a closed store: %v, want Unavailable", err)
	}
	var unopened Store
	if err := unopened.Health(ctx); !fault.Is(err, fault.Unavailable) {
		t.Errorf("Health of a store never opened: %v, want Unavailable", err)
	}
	if err := unopened.Close(ctx); err != nil {
		t.Errorf("Close of a store never opened: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		name, json, field string
	}{
		{"empty path", `{}`, "path"},
		{"directory path", `{"path": "var/"}`, "path"},
		{"negative timeout", `{"path": "var/wfm.db", "openTimeout": "-1s"}`, "openTimeout"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var cfg Config
			cfg.Defaults()
			if err := json.Unmarshal([]byte(c.json), &cfg); err != nil {
				t.Fatal(err)
			}
			err := cfg.Validate()
			var list config.Errors
			if !errors.As(err, &list) || len(list) != 1 || list[0].Path != c.field {
				t.Fatalf("Validate(%s) = %v, want one error on field %q", c.json, err, c.field)
			}
		})
	}
	var cfg Config
	cfg.Defaults()
	if err := json.Unmarshal([]byte(`{"path": "var/wfm.db"}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate of a good config: %v", err)
	}
	if cfg.OpenTimeout.D() != DefaultOpenTimeout || cfg.NoSync {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestModuleLifecycle(t *testing.T) {
	r, err := module.Lookup("state.bolt")
	if err != nil {
		t.Fatal(err)
	}
	m := r.New()
	target := m.(module.Configurable).ConfigTarget()
	target.(interface{ Defaults() }).Defaults()
	raw := `{"path": ` + jsonString(filepath.Join(t.TempDir(), "var", "wfm.db")) + `, "openTimeout": "500ms", "noSync": true}`
	if err := json.Unmarshal([]byte(raw), target); err != nil {
		t.Fatal(err)
	}
	if err := target.(config.Validator).Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := m.(module.Initer).Init(ctx, &module.Env{ID: "state.bolt", Name: "state"}); err != nil {
		t.Fatal(err)
	}
	s := m.(state.Store)
	if _, err := s.Put(ctx, "k", []byte("v"), state.IfAbsent()); err != nil {
		t.Fatal(err)
	}
	if err := m.(module.HealthChecker).Health(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.(module.Closer).Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
