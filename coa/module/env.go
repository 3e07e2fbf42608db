package module

import (
	"fmt"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"log/slog"
	"reflect"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Env is what a module receives at Init.
type Env struct {
	Host   string // the host's name from its config
	ID     string // the module's type id
	Name   string // instance name (providers) or config path (others)
	Logger *slog.Logger
	Tracer trace.TracerProvider
	Meter  metric.MeterProvider

	// Uses maps role -> provider instance for the roles that bind one
	// provider (declared with Need or Want).
	Uses map[string]Module
	// UsesList maps role -> provider instances, in config order, for the
	// roles that bind several (declared with List).
	UsesList map[string][]Module
	// Managers are, for a vendor, its managers in config order; for a
	// manager, the other managers of the vendor that declares it (refs
	// included), so a manager can compose its siblings. Managers are
	// initialised in config order: a manager may keep a sibling it finds
	// here but must not call it before its own Start (or first request).
	Managers []Module
	// Endpoints are, for bindings, every endpoint to serve: the vendors' and
	// the host's own (health, metrics), already wrapped with the host's
	// middleware (tracing, metrics, panic recovery).
	Endpoints []endpoint.Endpoint
}

// Use returns the provider bound to role, typed as T. The host has already
// checked the type when the role was declared with Need or Want; a missing
// optional role returns the zero T and false.
func Use[T any](env *Env, role string) (T, bool) {
	var zero T
	m, ok := env.Uses[role]
	if !ok {
		return zero, false
	}
	t, ok := m.(T)
	return t, ok
}

// MustUse is Use for required roles; it returns an error naming the role
// when the binding is missing or of the wrong type.
func MustUse[T any](env *Env, role string) (T, error) {
	t, ok := Use[T](env, role)
	if !ok {
		return t, fmt.Errorf("%s: role %q is not bound to a %s provider", env.ID, role, typeName[T]())
	}
	return t, nil
}

// UseList returns the providers bound to a list role, in config order,
// typed as T. A role bound with the single-provider form in Uses (as tests
// may write it) is a list of one.
func UseList[T any](env *Env, role string) []T {
	var out []T
	for _, m := range env.UsesList[role] {
		if t, ok := m.(T); ok {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		if t, ok := Use[T](env, role); ok {
			out = append(out, t)
		}
	}
	return out
}

// Manager returns the vendor's first manager of type T.
func Manager[T any](env *Env) (T, bool) {
	for _, m := range env.Managers {
		if t, ok := m.(T); ok {
			return t, true
		}
	}
	var zero T
	return zero, false
}

// Role is a named dependency on a provider (or, in Siblings, a manager)
// that implements an interface.
type Role struct {
	Name     string
	Optional bool
	Many     bool           // binds a list of providers ("uses": {"role": ["a", "b"]})
	Type     string         // interface name for messages
	Accepts  func(any) bool // type check
}

// Need declares a required role whose provider must implement T.
func Need[T any](name string) Role {
	return Role{Name: name, Type: typeName[T](), Accepts: func(v any) bool { _, ok := v.(T); return ok }}
}

// Want declares an optional role.
func Want[T any](name string) Role {
	r := Need[T](name)
	r.Optional = true
	return r
}

// List declares an optional role that binds any number of providers, each
// implementing T, written as a list in the config. The module reads them
// with UseList.
func List[T any](name string) Role {
	r := Want[T](name)
	r.Many = true
	return r
}

func typeName[T any]() string {
	t := reflect.TypeFor[T]()
	return t.String()
}
