package onboarding

import (
	"context"
	"slices"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestClientsPaging(t *testing.T) {
	m := newManager(t, memory.New(), "")
	is := newIssuer(t)
	ctx := context.Background()
	var want []string
	for range 25 {
		c, err := m.Onboard(ctx, is.issue(t, certSpec{}))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, c.ID)
	}
	slices.Sort(want)
	for _, tc := range []struct {
		name  string
		limit int
		pages []int // page sizes
	}{
		{"pages of 10", 10, []int{10, 10, 5}},
		{"pages of 5", 5, []int{5, 5, 5, 5, 5}},
		{"one page", 0, []int{25}},
		{"page larger than the set", 100, []int{25}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var sizes []int
			page := fleet.Page{Limit: tc.limit}
			for {
				list, next, err := m.Clients(ctx, page)
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, len(list))
				for _, c := range list {
					if c.Certificate == nil || c.State != fleet.ClientApproved {
						t.Fatalf("listed client %s: state %s, certificate %v", c.ID, c.State, c.Certificate != nil)
					}
					got = append(got, c.ID)
				}
				if next == "" {
					break
				}
				if next != list[len(list)-1].ID {
					t.Fatalf("cursor %q is not the last listed id %q", next, list[len(list)-1].ID)
				}
				page.After = next
				if len(sizes) > 30 {
					t.Fatal("paging does not end")
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("listed %v\nwant %v", got, want)
			}
			if !slices.Equal(sizes, tc.pages) {
				t.Fatalf("page sizes %v, want %v", sizes, tc.pages)
			}
		})
	}
	t.Run("cursor as a state key", func(t *testing.T) {
		list, _, err := m.Clients(ctx, fleet.Page{After: clientPrefix + want[9], Limit: 1})
		if err != nil || len(list) != 1 || list[0].ID != want[10] {
			t.Fatalf("got %v, %v; want %s", list, err, want[10])
		}
	})
	t.Run("the CA and the index are not listed", func(t *testing.T) {
		all, err := m.store.List(ctx, "onboarding/", state.ListOptions{Limit: state.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Entries) != 1+2*25 {
			t.Fatalf("%d onboarding keys, want the CA, 25 clients and 25 index entries", len(all.Entries))
		}
	})
}

func TestClientsEmpty(t *testing.T) {
	m := newManager(t, memory.New(), "")
	list, next, err := m.Clients(context.Background(), fleet.Page{})
	if err != nil || len(list) != 0 || next != "" {
		t.Fatalf("Clients = %v, %q, %v", list, next, err)
	}
}
