// Package basetest holds the test helpers the WFM managers share: building
// a manager the way the host does (New, Configure), checking faults
// (WantFault, Must) and watching the events a manager publishes (Events,
// FailingEvents, WantEvents).
package basetest

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/managers/base"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

// quiet is a logger that drops everything below errors.
var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))

// New builds a manager of type M the way the host does: it configures it
// with the JSON config cfg, then initialises it over store ("state"; a
// fresh memory store when nil) and the further providers of uses. It fails
// the test on any error.
func New[M any, P interface {
	*M
	base.Module
}](t testing.TB, store state.Store, cfg string, uses ...map[string]module.Module) *M {
	t.Helper()
	m := P(new(M))
	if err := decodeConfig(m, cfg); err != nil {
		t.Fatalf("config: %v", err)
	}
	if store == nil {
		store = memory.New()
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

// Configure decodes the JSON config raw into m's config target as the host
// does, at "m.config" of "t.json". With wantErr "" it fails the test on an
// error and returns true; otherwise it fails the test unless the error
// contains wantErr, and returns false.
func Configure(t testing.TB, m module.Configurable, raw, wantErr string) bool {
	t.Helper()
	err := decodeConfig(m, raw)
	if wantErr == "" {
		Must(t, err)
		return true
	}
	if err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Fatalf("got %v, want an error containing %q", err, wantErr)
	}
	return false
}

func decodeConfig(m module.Configurable, raw string) error {
	return config.DecodeModule("t.json", "m.config", []byte(raw), m.ConfigTarget())
}

// WantFault fails unless err is a *fault.Error with code (and typ, when
// not ""), and returns it.
func WantFault(t testing.TB, err error, code fault.Code, typ string) *fault.Error {
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

// Must fails the test on err.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
