package bolt

import (
	"bytes"
	"context"

	bbolt "go.etcd.io/bbolt"

	"github.com/cadenza-edge/cadenza/coa/state"
)

// List returns the entries whose key starts with prefix, in byte order, one
// page at a time, seeking a cursor to the first candidate key.
func (s *Store) List(ctx context.Context, prefix string, opts state.ListOptions) (state.Page, error) {
	if err := ctx.Err(); err != nil {
		return state.Page{}, canceled(err, "list")
	}
	limit := state.PageLimit(opts)
	start := max(prefix, opts.After)
	pre := []byte(prefix)
	var page state.Page
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(dataBucket).Cursor()
		k, v := c.Seek([]byte(start))
		if k != nil && string(k) == opts.After {
			k, v = c.Next() // After is exclusive
		}
		for ; k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
			if len(page.Entries) == limit {
				page.Next = page.Entries[limit-1].Key
				break
			}
			e, err := decode(string(k), v)
			if err != nil {
				return err
			}
			page.Entries = append(page.Entries, e)
		}
		return nil
	})
	if err != nil {
		return state.Page{}, err
	}
	return page, nil
}
