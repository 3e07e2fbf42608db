package statetest

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/state"
)

func persistRules(reopen func(t *testing.T, s state.Store) state.Store) []rule {
	return []rule{
		{"ReopenKeepsData", func(t *testing.T, s state.Store) { reopenKeepsData(t, s, reopen) }},
		{"ReopenVersionsKeepIncreasing", func(t *testing.T, s state.Store) { reopenVersionsIncrease(t, s, reopen) }},
	}
}

func reopenKeepsData(t *testing.T, s state.Store, reopen func(*testing.T, state.Store) state.Store) {
	va := put(t, s, "r/a", "a", state.Always())
	put(t, s, "r/b", "b0", state.Always())
	vb := put(t, s, "r/b", "b1", state.Always())
	put(t, s, "r/c", "c", state.Always())
	if err := s.Delete(t.Context(), "r/c", state.Always()); err != nil {
		t.Fatal(err)
	}
	vd, err := s.Batch(t.Context(), []state.Op{{Key: "r/d", Value: []byte("d")}, {Key: "r/e", Value: nil}})
	if err != nil {
		t.Fatal(err)
	}
	before := listAll(t, s, "", 0)

	s = reopen(t, s)
	wantEntry(t, s, "r/a", "a", va)
	wantEntry(t, s, "r/b", "b1", vb)
	wantAbsent(t, s, "r/c")
	wantEntry(t, s, "r/d", "d", vd)
	wantEntry(t, s, "r/e", "", vd)
	after := listAll(t, s, "", 0)
	wantKeys(t, keysOf(after), keysOf(before), "List after reopen")
	for i := range after {
		if after[i].Version != before[i].Version || string(after[i].Value) != string(before[i].Value) {
			t.Fatalf("%q after reopen = %q@%d, before %q@%d", after[i].Key, after[i].Value, after[i].Version, before[i].Value, before[i].Version)
		}
	}
}

func reopenVersionsIncrease(t *testing.T, s state.Store, reopen func(*testing.T, state.Store) state.Store) {
	put(t, s, "keep", "x", state.Always())
	vk := put(t, s, "k", "x", state.Always())
	if err := s.Delete(t.Context(), "k", state.Always()); err != nil {
		t.Fatal(err)
	}
	// The highest version handed out belongs to a deleted key: the store
	// must remember it without any live key carrying it.
	s = reopen(t, s)
	if v := put(t, s, "k", "y", state.IfAbsent()); v <= vk {
		t.Fatalf("re-created key after reopen got version %d, not greater than %d before", v, vk)
	}
	vb, err := s.Batch(t.Context(), []state.Op{{Key: "b", Value: []byte("b")}})
	if err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	if v := put(t, s, "other", "z", state.Always()); v <= vb {
		t.Fatalf("Put after a second reopen got version %d, not greater than %d before", v, vb)
	}
}
