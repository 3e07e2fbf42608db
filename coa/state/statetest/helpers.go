package statetest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// put writes value under key and returns the new version, failing the test
// on an error or a zero version.
func put(t *testing.T, s state.Store, key, value string, cond state.Cond) uint64 {
	t.Helper()
	v, err := s.Put(t.Context(), key, []byte(value), cond)
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	if v == 0 {
		t.Fatalf("Put(%q) returned version 0", key)
	}
	return v
}

// get reads key, failing the test when it is absent or has version 0.
func get(t *testing.T, s state.Store, key string) state.Entry {
	t.Helper()
	e, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if e.Version == 0 {
		t.Fatalf("Get(%q) returned version 0 for an existing key", key)
	}
	if e.Key != key {
		t.Fatalf("Get(%q) returned key %q", key, e.Key)
	}
	return e
}

// wantEntry checks key holds value at version (version 0: any version).
func wantEntry(t *testing.T, s state.Store, key, value string, version uint64) {
	t.Helper()
	e := get(t, s, key)
	if !bytes.Equal(e.Value, []byte(value)) {
		t.Fatalf("Get(%q) = %q, want %q", key, e.Value, value)
	}
	if version != 0 && e.Version != version {
		t.Fatalf("Get(%q) version = %d, want %d", key, e.Version, version)
	}
}

// wantAbsent checks Get(key) is NotFound.
func wantAbsent(t *testing.T, s state.Store, key string) {
	t.Helper()
	e, err := s.Get(t.Context(), key)
	if !fault.Is(err, fault.NotFound) {
		t.Fatalf("Get(%q) = %+v, %v; want a NotFound error", key, e, err)
	}
}

// wantCode checks err carries code.
func wantCode(t *testing.T, err error, code fault.Code, call string) {
	t.Helper()
	if !fault.Is(err, code) {
		t.Fatalf("%s: error %v (code %q), want code %q", call, err, fault.CodeOf(err), code)
	}
}

// wantCanceled checks err reports a canceled context.
func wantCanceled(t *testing.T, err error, call string) {
	t.Helper()
	if !errors.Is(err, context.Canceled) && !fault.Is(err, fault.Canceled) {
		t.Fatalf("%s with a canceled context: error %v, want one wrapping context.Canceled or coded %q", call, err, fault.Canceled)
	}
}

// wantErrNames checks err's message names key.
func wantErrNames(t *testing.T, err error, key string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), key) {
		t.Fatalf("error %v does not name key %q", err, key)
	}
}

// listAll pages through prefix with limit and checks every page: at most
// limit entries, keys in strictly increasing byte order across pages, all
// with the prefix, and a non-empty page after every non-empty Next.
func listAll(t *testing.T, s state.Store, prefix string, limit int) []state.Entry {
	t.Helper()
	var out []state.Entry
	opts := state.ListOptions{Limit: limit}
	for pages := 0; ; pages++ {
		if pages > 100000 {
			t.Fatalf("List(%q, limit %d) does not end", prefix, limit)
		}
		p, err := s.List(t.Context(), prefix, opts)
		if err != nil {
			t.Fatalf("List(%q, %+v): %v", prefix, opts, err)
		}
		if n := len(p.Entries); n > state.PageLimit(opts) {
			t.Fatalf("List(%q, %+v) returned %d entries, more than the limit %d", prefix, opts, n, state.PageLimit(opts))
		}
		if opts.After != "" && len(p.Entries) == 0 {
			t.Fatalf("List(%q, %+v): the previous page's Next was %q but this page is empty; Next must be \"\" on the last page", prefix, opts, opts.After)
		}
		for _, e := range p.Entries {
			if !strings.HasPrefix(e.Key, prefix) {
				t.Fatalf("List(%q) returned key %q without the prefix", prefix, e.Key)
			}
			if e.Version == 0 {
				t.Fatalf("List(%q) returned key %q with version 0", prefix, e.Key)
			}
			if len(out) > 0 && e.Key <= out[len(out)-1].Key {
				t.Fatalf("List(%q, limit %d) returned %q after %q: keys must be unique and in byte order", prefix, limit, e.Key, out[len(out)-1].Key)
			}
			out = append(out, e)
		}
		if p.Next == "" {
			return out
		}
		opts.After = p.Next
	}
}

// keysOf returns the keys of entries.
func keysOf(entries []state.Entry) []string {
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.Key
	}
	return keys
}

// wantKeys checks got equals want, element by element.
func wantKeys(t *testing.T, got []string, want []string, what string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got keys %q, want %q", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: got keys %q, want %q", what, got, want)
		}
	}
}

// putAll writes every key with its own key as value, in one batch.
func putAll(t *testing.T, s state.Store, keys ...string) uint64 {
	t.Helper()
	ops := make([]state.Op, len(keys))
	for i, k := range keys {
		ops[i] = state.Op{Key: k, Value: []byte(k)}
	}
	v, err := s.Batch(t.Context(), ops)
	if err != nil {
		t.Fatalf("Batch put of %d keys: %v", len(keys), err)
	}
	return v
}
