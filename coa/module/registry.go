package module

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Kind is the family of a module id: the part before the first dot
// ("state" in "state.bolt"). Providers are grouped by capability.
type Kind string

// Host-level kinds; any other prefix is a provider capability (state, pubsub, ...).
const (
	KindBinding Kind = "bindings"
	KindVendor  Kind = "vendors"
	KindManager Kind = "managers"
)

// Factory constructs a new, unconfigured module.
type Factory func() Module

// Registration describes one implementation.
type Registration struct {
	ID      string  // dotted id, e.g. "state.bolt"
	New     Factory // constructor
	Summary string  // one line for `cadenza modules` and docs
}

// Kind returns the id's kind.
func (r Registration) Kind() Kind { return KindOf(r.ID) }

// KindOf returns the kind of a dotted id.
func KindOf(id string) Kind {
	k, _, _ := strings.Cut(id, ".")
	return Kind(k)
}

// IsProvider reports whether the id names a provider (not a binding, vendor or manager).
func IsProvider(id string) bool {
	switch KindOf(id) {
	case KindBinding, KindVendor, KindManager:
		return false
	}
	return true
}

var (
	mu       sync.RWMutex
	registry = map[string]Registration{}
)

// Register adds an implementation. It panics on a malformed or duplicate id:
// both are programming errors found at process start.
func Register(r Registration) {
	if r.New == nil {
		panic("module: Register " + r.ID + " without a factory")
	}
	k, name, ok := strings.Cut(r.ID, ".")
	if !ok || k == "" || name == "" {
		panic("module: id " + r.ID + " is not of the form kind.name")
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[r.ID]; dup {
		panic("module: " + r.ID + " registered twice")
	}
	registry[r.ID] = r
}

// UnknownError is returned by Lookup for an unregistered id.
type UnknownError struct {
	ID    string
	Known []string // ids of the same kind
}

func (e *UnknownError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("unknown module type %q: no %q modules are registered in this build (a slim build may leave them out: `cadenza modules` lists what it has)", e.ID, KindOf(e.ID))
	}
	return fmt.Sprintf("unknown module type %q; known %s types: %s", e.ID, KindOf(e.ID), strings.Join(e.Known, ", "))
}

// Lookup returns the registration of id.
func Lookup(id string) (Registration, error) {
	mu.RLock()
	defer mu.RUnlock()
	r, ok := registry[id]
	if !ok {
		return Registration{}, &UnknownError{ID: id, Known: idsOfKind(KindOf(id))}
	}
	return r, nil
}

// All returns every registration sorted by id.
func All() []Registration {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Registration, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Registration) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func idsOfKind(k Kind) []string {
	var ids []string
	for id := range registry {
		if KindOf(id) == k {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}
