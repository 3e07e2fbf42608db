package memory

import (
	"context"
	"slices"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/state"
)

// List returns the entries whose key starts with prefix, in byte order, one
// page at a time: a binary search of the key index finds the first key, so
// a page costs O(log n + page size).
func (s *Store) List(ctx context.Context, prefix string, opts state.ListOptions) (state.Page, error) {
	if err := ctx.Err(); err != nil {
		return state.Page{}, canceled(err, "list")
	}
	limit := state.PageLimit(opts)
	start := max(prefix, opts.After)

	s.mu.RLock()
	defer s.mu.RUnlock()
	i, _ := slices.BinarySearch(s.keys, start)
	if i < len(s.keys) && s.keys[i] == opts.After {
		i++ // After is exclusive
	}
	var page state.Page
	for ; i < len(s.keys) && strings.HasPrefix(s.keys[i], prefix); i++ {
		if len(page.Entries) == limit {
			page.Next = page.Entries[limit-1].Key
			break
		}
		if page.Entries == nil {
			page.Entries = make([]state.Entry, 0, min(limit, len(s.keys)-i))
		}
		key := s.keys[i]
		it := s.data[key]
		page.Entries = append(page.Entries, state.Entry{Key: key, Value: slices.Clone(it.value), Version: it.version})
	}
	return page, nil
}
