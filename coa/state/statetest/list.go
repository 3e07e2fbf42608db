package statetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/state"
)

func listRules() []rule {
	return []rule{
		{"ListPrefix", listPrefix},
		{"ListByteOrder", listByteOrder},
		{"ListPagingReturnsEachKeyOnce", listPaging},
		{"ListLimit", listLimit},
		{"ListPrefixThatIsAKey", listPrefixThatIsAKey},
		{"ListHighBytesAndUnicode", listHighBytesAndUnicode},
		{"ListAfter", listAfter},
		{"ListEntriesMatchGet", listEntriesMatchGet},
	}
}

func listPrefix(t *testing.T, s state.Store) {
	putAll(t, s, "a", "a/1", "a/2", "a/3", "ab", "b/1", "0")
	wantKeys(t, keysOf(listAll(t, s, "a/", 0)), []string{"a/1", "a/2", "a/3"}, `List("a/")`)
	wantKeys(t, keysOf(listAll(t, s, "", 0)), []string{"0", "a", "a/1", "a/2", "a/3", "ab", "b/1"}, `List("")`)
	p, err := s.List(t.Context(), "zz", state.ListOptions{})
	if err != nil {
		t.Fatalf(`List("zz"): %v`, err)
	}
	if len(p.Entries) != 0 || p.Next != "" {
		t.Fatalf(`List("zz") = %+v, want an empty last page`, p)
	}
}

func listByteOrder(t *testing.T, s state.Store) {
	keys := []string{"o/b", "o/B", "o/~", "o/a", "o/10", "o/9", "o/1", "o/A", "o/ä", "o/_", "o/-", "o/a0", "o/a/"}
	for _, k := range keys { // one at a time, in this unsorted order
		put(t, s, k, k, state.Always())
	}
	want := slices.Clone(keys)
	slices.Sort(want) // Go string order is byte order
	for _, limit := range []int{0, 1, 4} {
		wantKeys(t, keysOf(listAll(t, s, "o/", limit)), want, fmt.Sprintf(`List("o/", limit %d)`, limit))
	}
}

func listPaging(t *testing.T, s state.Store) {
	const n = 25
	var want []string
	for i := range n {
		want = append(want, fmt.Sprintf("p/%02d", i))
	}
	putAll(t, s, want...)
	putAll(t, s, "o/x", "p", "q/x", "p0") // neighbours outside the prefix
	for _, limit := range []int{1, 2, 3, 7, n - 1, n, n + 1, 0} {
		wantKeys(t, keysOf(listAll(t, s, "p/", limit)), want, fmt.Sprintf(`List("p/", limit %d)`, limit))
	}
	p, err := s.List(t.Context(), "p/", state.ListOptions{Limit: n})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != n || p.Next != "" {
		t.Fatalf(`List("p/", limit %d) over exactly %d keys: %d entries, Next %q; want all and Next ""`, n, n, len(p.Entries), p.Next)
	}
	p, err = s.List(t.Context(), "p/", state.ListOptions{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != 5 || p.Next == "" {
		t.Fatalf(`List("p/", limit 5) over %d keys: %d entries, Next %q; want 5 and a Next`, n, len(p.Entries), p.Next)
	}
}

func listLimit(t *testing.T, s state.Store) {
	const n = state.DefaultPageSize + 50
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("l/%04d", i)
	}
	putAll(t, s, keys...)
	for _, c := range []struct {
		limit, want int
	}{
		{0, state.DefaultPageSize},
		{-1, state.DefaultPageSize},
		{1, 1},
		{10, 10},
		{n, n},
		{state.MaxPageSize + 1, n},
	} {
		p, err := s.List(t.Context(), "l/", state.ListOptions{Limit: c.limit})
		if err != nil {
			t.Fatalf("List limit %d: %v", c.limit, err)
		}
		if len(p.Entries) != c.want {
			t.Fatalf("List limit %d over %d keys returned %d entries, want %d", c.limit, n, len(p.Entries), c.want)
		}
		if more := c.want < n; more != (p.Next != "") {
			t.Fatalf("List limit %d over %d keys: Next %q, want it set only when keys remain", c.limit, n, p.Next)
		}
	}
}

func listPrefixThatIsAKey(t *testing.T, s state.Store) {
	putAll(t, s, "a", "a/b", "ab", "b", "`")
	wantKeys(t, keysOf(listAll(t, s, "a", 0)), []string{"a", "a/b", "ab"}, `List("a")`)
	wantKeys(t, keysOf(listAll(t, s, "a", 1)), []string{"a", "a/b", "ab"}, `List("a", limit 1)`)
	p, err := s.List(t.Context(), "a", state.ListOptions{After: "a"})
	if err != nil {
		t.Fatal(err)
	}
	wantKeys(t, keysOf(p.Entries), []string{"a/b", "ab"}, `List("a", After "a")`)
	wantKeys(t, keysOf(listAll(t, s, "ab", 0)), []string{"ab"}, `List("ab")`)
}

func listHighBytesAndUnicode(t *testing.T, s state.Store) {
	keys := []string{
		"x/\xff", "x/\xff\xff", "x/\xff\xfe", "x/\xfe", "x/\x7f", "x/\x01",
		"x/é", "x/日本", "x/😀", "x/z", "x/\u00ff", "x\xff", "x0", "y",
	}
	putAll(t, s, keys...)
	var want []string
	for _, k := range keys {
		if len(k) > 2 && k[:2] == "x/" {
			want = append(want, k)
		}
	}
	slices.Sort(want)
	for _, limit := range []int{0, 1, 3} {
		wantKeys(t, keysOf(listAll(t, s, "x/", limit)), want, fmt.Sprintf(`List("x/", limit %d)`, limit))
	}
	wantKeys(t, keysOf(listAll(t, s, "x/\xff", 0)), []string{"x/\xff", "x/\xff\xfe", "x/\xff\xff"}, `List("x/\xff")`)
	wantKeys(t, keysOf(listAll(t, s, "x/\xff", 1)), []string{"x/\xff", "x/\xff\xfe", "x/\xff\xff"}, `List("x/\xff", limit 1)`)
	wantKeys(t, keysOf(listAll(t, s, "x\xff", 0)), []string{"x\xff"}, `List("x\xff")`)
	wantKeys(t, keysOf(listAll(t, s, "日", 0)), nil, `List("日")`)
	wantKeys(t, keysOf(listAll(t, s, "x/日", 0)), []string{"x/日本"}, `List("x/日")`)
	for _, k := range keys {
		wantEntry(t, s, k, k, 0)
	}
}

func listAfter(t *testing.T, s state.Store) {
	putAll(t, s, "m/a", "m/c", "m/e", "n/a", "l/z")
	for _, c := range []struct {
		after string
		want  []string
	}{
		{"", []string{"m/a", "m/c", "m/e"}},
		{"a", []string{"m/a", "m/c", "m/e"}},   // before the prefix range
		{"l/z", []string{"m/a", "m/c", "m/e"}}, // a key before the range
		{"m/a", []string{"m/c", "m/e"}},        // a key in the range
		{"m/b", []string{"m/c", "m/e"}},        // not a key
		{"m/e", nil},                           // the last key
		{"m/f", nil},                           // past the last key
		{"n", nil},                             // after the prefix range
		{"m/", []string{"m/a", "m/c", "m/e"}},  // the prefix itself
		{"m/a\x00", []string{"m/c", "m/e"}},    // just after a key
		{"m/\xff", nil},                        // high byte past the range
	} {
		p, err := s.List(t.Context(), "m/", state.ListOptions{After: c.after})
		if err != nil {
			t.Fatalf("List After %q: %v", c.after, err)
		}
		wantKeys(t, keysOf(p.Entries), c.want, fmt.Sprintf(`List("m/", After %q)`, c.after))
		if p.Next != "" {
			t.Fatalf(`List("m/", After %q): Next %q on the last page`, c.after, p.Next)
		}
	}
}

func listEntriesMatchGet(t *testing.T, s state.Store) {
	put(t, s, "e/1", "one", state.Always())
	put(t, s, "e/2", "two", state.Always())
	put(t, s, "e/1", "uno", state.Always())
	for _, e := range listAll(t, s, "e/", 0) {
		g := get(t, s, e.Key)
		if string(g.Value) != string(e.Value) || g.Version != e.Version {
			t.Fatalf("List entry %q = %q@%d, Get = %q@%d", e.Key, e.Value, e.Version, g.Value, g.Version)
		}
	}
}
