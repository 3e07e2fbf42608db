// Package fleettest holds in-memory fakes of the fleet interfaces
// (Onboarding, Capabilities, Deployments) for the tests of the vendors and
// of anything else built on them. The fakes behave like the managers in
// what their callers see (not-found faults, paging, tombstones) without
// their checks; their zero values are ready to use and safe for
// concurrent use. Methods beyond the interfaces seed and inspect them.
package fleettest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
)

// WantMissingNamed fails the test unless init, the Init of a vendor that
// needs the three fleet managers, fails naming the interface that is
// missing when one of them is.
func WantMissingNamed(t testing.TB, id string, init func(context.Context, *module.Env) error) {
	t.Helper()
	ob, caps, deps := &Onboarding{}, &Capabilities{}, &Deployments{}
	for iface, managers := range map[string][]module.Module{
		"fleet.Onboarding":   {caps, deps},
		"fleet.Capabilities": {ob, deps},
		"fleet.Deployments":  {ob, caps},
	} {
		err := init(context.Background(), &module.Env{ID: id, Managers: managers})
		if err == nil || !strings.Contains(err.Error(), iface) {
			t.Errorf("without %s: err = %v", iface, err)
		}
	}
}

// get returns m[key] holding mu, or a NotFound fault with the message
// format and args.
func get[T any](mu *sync.Mutex, m map[string]T, key, format string, args ...any) (T, error) {
	mu.Lock()
	defer mu.Unlock()
	v, ok := m[key]
	if !ok {
		var zero T
		return zero, fault.New(fault.NotFound, format, args...)
	}
	return v, nil
}

// list pages the values of m of client clientID ("" = every client),
// holding mu; keys returns the client and the id of a value, which orders
// the values and is the cursor.
func list[T any](mu *sync.Mutex, m map[string]T, clientID string, keys func(T) (client, id string), page fleet.Page) ([]T, string, error) {
	mu.Lock()
	defer mu.Unlock()
	var all []T
	for _, v := range m {
		if c, _ := keys(v); clientID == "" || c == clientID {
			all = append(all, v)
		}
	}
	id := func(v T) string {
		_, id := keys(v)
		return id
	}
	out, next := paged(all, id, page)
	return out, next, nil
}

// paged returns the page of items after page.After in id order, and the
// next cursor ("" on the last page).
func paged[T any](items []T, id func(T) string, page fleet.Page) ([]T, string) {
	slices.SortFunc(items, func(a, b T) int { return strings.Compare(id(a), id(b)) })
	var out []T
	for _, it := range items {
		if page.After != "" && id(it) <= page.After {
			continue
		}
		if page.Limit > 0 && len(out) == page.Limit {
			return out, id(out[len(out)-1])
		}
		out = append(out, it)
	}
	return out, ""
}

// first returns the first limit items of m[key], holding mu (all of them
// when limit <= 0).
func first[T any](mu *sync.Mutex, m map[string][]T, key string, limit int) []T {
	mu.Lock()
	defer mu.Unlock()
	s := m[key]
	if limit > 0 && len(s) > limit {
		return s[:limit]
	}
	return s
}
