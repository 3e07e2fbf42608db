package statetest

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

func keyRules() []rule {
	return []rule{
		{"GetAbsentIsNotFound", getAbsentIsNotFound},
		{"PutGetRoundTrip", putGetRoundTrip},
		{"VersionsIncrease", versionsIncrease},
		{"VersionNotReusedAfterDelete", versionNotReusedAfterDelete},
		{"IfAbsent", ifAbsent},
		{"IfVersion", ifVersion},
		{"DeleteAbsentIsOK", deleteAbsentIsOK},
		{"DeleteIfVersion", deleteIfVersion},
		{"DeleteAbsentWithVersionIsConflict", deleteAbsentWithVersionIsConflict},
	}
}

func getAbsentIsNotFound(t *testing.T, s state.Store) {
	wantAbsent(t, s, "absent")
	put(t, s, "absent/child", "x", state.Always())
	wantAbsent(t, s, "absent")
}

func putGetRoundTrip(t *testing.T, s state.Store) {
	v := put(t, s, "k", "hello", state.Always())
	wantEntry(t, s, "k", "hello", v)
	v = put(t, s, "empty", "", state.Always())
	wantEntry(t, s, "empty", "", v)
	bin := string([]byte{0, 1, 2, 0xfe, 0xff, 0})
	v = put(t, s, "binary", bin, state.Always())
	wantEntry(t, s, "binary", bin, v)
}

func versionsIncrease(t *testing.T, s state.Store) {
	var last uint64
	for i, key := range []string{"a", "b", "a", "c", "a", "b"} {
		v := put(t, s, key, key, state.Always())
		if v <= last {
			t.Fatalf("write %d (%q) got version %d, not greater than the previous %d: versions are store-wide revisions", i, key, v, last)
		}
		wantEntry(t, s, key, key, v)
		last = v
	}
}

func versionNotReusedAfterDelete(t *testing.T, s state.Store) {
	v1 := put(t, s, "k", "one", state.Always())
	if err := s.Delete(t.Context(), "k", state.Always()); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantAbsent(t, s, "k")
	v2 := put(t, s, "k", "two", state.IfAbsent())
	if v2 <= v1 {
		t.Fatalf("re-created key got version %d, not greater than its version %d before the delete", v2, v1)
	}
	wantEntry(t, s, "k", "two", v2)
}

func ifAbsent(t *testing.T, s state.Store) {
	v := put(t, s, "k", "first", state.IfAbsent())
	_, err := s.Put(t.Context(), "k", []byte("second"), state.IfAbsent())
	wantCode(t, err, fault.Conflict, "Put IfAbsent on an existing key")
	wantErrNames(t, err, "k")
	wantEntry(t, s, "k", "first", v)
	if err := s.Delete(t.Context(), "k", state.Always()); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	put(t, s, "k", "third", state.IfAbsent())
}

func ifVersion(t *testing.T, s state.Store) {
	ctx := t.Context()
	v1 := put(t, s, "k", "one", state.Always())
	v2 := put(t, s, "k", "two", state.IfVersion(v1))
	if v2 <= v1 {
		t.Fatalf("conditional put got version %d, not greater than %d", v2, v1)
	}
	for _, c := range []struct {
		what string
		cond state.Cond
	}{
		{"a stale version", state.IfVersion(v1)},
		{"a future version", state.IfVersion(v2 + 1000)},
		{"version 0 (absent)", state.IfVersion(0)},
	} {
		_, err := s.Put(ctx, "k", []byte("bad"), c.cond)
		wantCode(t, err, fault.Conflict, "Put IfVersion with "+c.what)
		wantEntry(t, s, "k", "two", v2)
	}
	put(t, s, "new", "x", state.IfVersion(0))
	_, err := s.Put(ctx, "absent", []byte("x"), state.IfVersion(v2))
	wantCode(t, err, fault.Conflict, "Put IfVersion(v>0) on an absent key")
	wantAbsent(t, s, "absent")
}

func deleteAbsentIsOK(t *testing.T, s state.Store) {
	if err := s.Delete(t.Context(), "absent", state.Always()); err != nil {
		t.Fatalf("unconditional Delete of an absent key: %v", err)
	}
	if err := s.Delete(t.Context(), "absent", state.IfAbsent()); err != nil {
		t.Fatalf("Delete IfAbsent of an absent key (the condition holds): %v", err)
	}
	wantAbsent(t, s, "absent")
}

func deleteIfVersion(t *testing.T, s state.Store) {
	ctx := t.Context()
	v := put(t, s, "k", "x", state.Always())
	err := s.Delete(ctx, "k", state.IfVersion(v+1))
	wantCode(t, err, fault.Conflict, "Delete with a mismatching version")
	wantErrNames(t, err, "k")
	err = s.Delete(ctx, "k", state.IfAbsent())
	wantCode(t, err, fault.Conflict, "Delete IfAbsent of an existing key")
	wantEntry(t, s, "k", "x", v)
	if err := s.Delete(ctx, "k", state.IfVersion(v)); err != nil {
		t.Fatalf("Delete with the matching version: %v", err)
	}
	wantAbsent(t, s, "k")
	if got := listAll(t, s, "", 0); len(got) != 0 {
		t.Fatalf("List after delete returned %q", keysOf(got))
	}
}

func deleteAbsentWithVersionIsConflict(t *testing.T, s state.Store) {
	err := s.Delete(t.Context(), "absent", state.IfVersion(5))
	wantCode(t, err, fault.Conflict, "Delete IfVersion(5) of an absent key")
	v := put(t, s, "gone", "x", state.Always())
	if err := s.Delete(t.Context(), "gone", state.Always()); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	err = s.Delete(t.Context(), "gone", state.IfVersion(v))
	wantCode(t, err, fault.Conflict, "Delete IfVersion of an already deleted key")
}
