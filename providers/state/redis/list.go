package redis

import (
	"context"
	"strconv"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// List returns the entries whose key starts with prefix, in byte order, one
// page at a time: one ZRANGEBYLEX over the key index, from the later of
// prefix and After up to the end of the prefix's range, and the page's
// hashes, read atomically by a script.
func (s *Store) List(ctx context.Context, prefix string, opts state.ListOptions) (state.Page, error) {
	if err := ctx.Err(); err != nil {
		return state.Page{}, canceled(err, "list")
	}
	if s.rdb == nil {
		return state.Page{}, notOpen()
	}
	limit := state.PageLimit(opts)
	lo, hi := lexRange(prefix, opts.After)
	reply, err := listScript.Run(ctx, s.rdb, []string{s.idxKey}, lo, hi, strconv.Itoa(limit+1), s.entryPrefix).Slice()
	if err != nil {
		return state.Page{}, backend(err, "list")
	}
	if len(reply)%3 != 0 {
		return state.Page{}, fault.New(fault.Unavailable, "%s list: %d values in the reply, not key/version/value triples", ID, len(reply))
	}
	var page state.Page
	for i := 0; i < len(reply); i += 3 {
		key, _ := reply[i].(string)
		if len(page.Entries) == limit {
			page.Next = page.Entries[limit-1].Key
			break
		}
		e, ok, err := entry(key, reply[i+1], reply[i+2])
		if err != nil {
			return state.Page{}, err
		}
		if !ok { // indexed without a hash: cannot happen with atomic writes
			continue
		}
		if page.Entries == nil {
			page.Entries = make([]state.Entry, 0, min(limit, len(reply)/3))
		}
		page.Entries = append(page.Entries, e)
	}
	return page, nil
}

// lexRange returns the ZRANGEBYLEX bounds of the keys that start with
// prefix and are greater than after.
func lexRange(prefix, after string) (lo, hi string) {
	switch {
	case after != "" && after >= prefix:
		lo = "(" + after
	case prefix != "":
		lo = "[" + prefix
	default:
		lo = "-"
	}
	hi = "+"
	if end, ok := successor(prefix); ok {
		hi = "(" + end
	}
	return lo, hi
}

// successor returns the smallest string greater than every string with
// prefix p; ok is false when there is none (p is empty or all 0xff bytes).
func successor(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
