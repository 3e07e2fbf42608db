package statetest

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

func batchRules() []rule {
	return []rule{
		{"BatchMixedPutsAndDeletes", batchMixed},
		{"BatchAllOrNothing", batchAllOrNothing},
		{"BatchEmpty", batchEmpty},
		{"BatchDuplicateKeyIsBadRequest", batchDuplicateKey},
		{"BatchInvalidKeyWritesNothing", batchInvalidKey},
	}
}

func batchMixed(t *testing.T, s state.Store) {
	vx := put(t, s, "x", "x0", state.Always())
	vy := put(t, s, "y", "y0", state.Always())
	vw := put(t, s, "w", "w0", state.Always())
	v, err := s.Batch(t.Context(), []state.Op{
		{Key: "x", Value: []byte("x1"), If: state.IfVersion(vx)},
		{Key: "y", Delete: true, If: state.IfVersion(vy)},
		{Key: "z", Value: []byte("z1"), If: state.IfAbsent()},
		{Key: "n", Value: []byte("n1")},
		{Key: "gone", Delete: true},
	})
	if err != nil {
		t.Fatalf("Batch: %v", err)
	}
	if v <= vw {
		t.Fatalf("Batch returned version %d, not greater than the earlier %d", v, vw)
	}
	wantEntry(t, s, "x", "x1", v)
	wantEntry(t, s, "z", "z1", v)
	wantEntry(t, s, "n", "n1", v)
	wantEntry(t, s, "w", "w0", vw)
	wantAbsent(t, s, "y")
	wantAbsent(t, s, "gone")
	if next := put(t, s, "after", "a", state.Always()); next <= v {
		t.Fatalf("Put after a batch got version %d, not greater than the batch's %d", next, v)
	}
}

func batchAllOrNothing(t *testing.T, s state.Store) {
	va := put(t, s, "a", "a0", state.Always())
	vc := put(t, s, "c", "c0", state.Always())
	vd := put(t, s, "conflicting-key", "d0", state.Always())
	for _, failing := range []state.Op{
		{Key: "conflicting-key", Value: []byte("d1"), If: state.IfAbsent()},
		{Key: "conflicting-key", Value: []byte("d1"), If: state.IfVersion(vd + 1)},
		{Key: "conflicting-key", Delete: true, If: state.IfVersion(vd + 1)},
		{Key: "conflicting-key", Delete: true, If: state.IfAbsent()},
	} {
		ops := []state.Op{
			{Key: "a", Value: []byte("a1"), If: state.IfVersion(va)},
			{Key: "b", Value: []byte("b1"), If: state.IfAbsent()},
			{Key: "c", Delete: true},
			failing,
			{Key: "e", Value: []byte("e1")},
		}
		_, err := s.Batch(t.Context(), ops)
		wantCode(t, err, fault.Conflict, "Batch with one failing condition")
		wantErrNames(t, err, "conflicting-key")
		wantEntry(t, s, "a", "a0", va)
		wantAbsent(t, s, "b")
		wantEntry(t, s, "c", "c0", vc)
		wantEntry(t, s, "conflicting-key", "d0", vd)
		wantAbsent(t, s, "e")
	}
	_, err := s.Batch(t.Context(), []state.Op{
		{Key: "a", Value: []byte("a1")},
		{Key: "absent-key", Value: []byte("x"), If: state.IfVersion(va)},
	})
	wantCode(t, err, fault.Conflict, "Batch expecting a version of an absent key")
	wantErrNames(t, err, "absent-key")
	wantEntry(t, s, "a", "a0", va)
}

func batchEmpty(t *testing.T, s state.Store) {
	put(t, s, "before", "x", state.Always())
	for _, ops := range [][]state.Op{nil, {}} {
		v, err := s.Batch(t.Context(), ops)
		if err != nil || v != 0 {
			t.Fatalf("Batch(%#v) = %d, %v; want 0, nil", ops, v, err)
		}
	}
	if err := s.Delete(t.Context(), "before", state.Always()); err != nil {
		t.Fatal(err)
	}
	if got := listAll(t, s, "", 0); len(got) != 0 {
		t.Fatalf("an empty batch wrote %q", keysOf(got))
	}
}

func batchDuplicateKey(t *testing.T, s state.Store) {
	v := put(t, s, "k", "k0", state.Always())
	for _, ops := range [][]state.Op{
		{{Key: "k", Value: []byte("1")}, {Key: "k", Value: []byte("2")}},
		{{Key: "k", Value: []byte("1")}, {Key: "other", Value: []byte("o")}, {Key: "k", Delete: true}},
		{{Key: "k", Delete: true}, {Key: "k", Delete: true}},
		{{Key: "new", Value: []byte("1")}, {Key: "new", Value: []byte("2"), If: state.IfAbsent()}},
	} {
		_, err := s.Batch(t.Context(), ops)
		wantCode(t, err, fault.BadRequest, "Batch naming a key twice")
		wantErrNames(t, err, ops[0].Key)
		wantEntry(t, s, "k", "k0", v)
		wantAbsent(t, s, "other")
		wantAbsent(t, s, "new")
	}
}

func batchInvalidKey(t *testing.T, s state.Store) {
	for _, bad := range []string{"", longKey()} {
		_, err := s.Batch(t.Context(), []state.Op{
			{Key: "ok", Value: []byte("x")},
			{Key: bad, Value: []byte("x")},
		})
		wantCode(t, err, fault.BadRequest, "Batch with an invalid key")
		wantAbsent(t, s, "ok")
	}
}
