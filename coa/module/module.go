// Package module is Cadenza's module system: registration of implementations
// under dotted ids, the optional lifecycle interfaces, and the environment a
// module is initialised with.
//
// A module is any value created by a registered factory. Everything beyond
// construction is optional and discovered through small interfaces:
//
//	Configurable  ConfigTarget() any        pointer the host decodes the module's "config" into
//	Validator     Validate() error          on the config target, after decoding (see config.Validator)
//	Initer        Init(ctx, *Env) error     dependencies resolved, nothing started yet
//	Starter       Start(ctx) error          begin serving / background work
//	Closer        Close(ctx) error          stop; ctx carries the grace period
//	HealthChecker Health(ctx) error         nil when healthy
//	Reconciler    Reconcile(ctx) error      periodic work (managers, when an interval is configured)
//	RoleDeclarer  Roles() []Role            the provider roles a manager or vendor uses
//	BindingChecker CheckBindings(map[string][]Bound) error   config-time check of what is bound to the roles
//	SiblingDeclarer Siblings() []Role        the managers a manager (or vendor) needs beside it
//	EndpointSource Endpoints() []endpoint.Endpoint   routes a vendor exposes
package module

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
)

// Module is any constructed implementation.
type Module = any

// Configurable modules expose a pointer to their config struct. The host
// decodes the module's raw "config" JSON into it with unknown fields rejected,
// then calls Validate on it when it implements Validator.
type Configurable interface {
	ConfigTarget() any
}

// Initer receives its environment once, before anything starts.
type Initer interface {
	Init(ctx context.Context, env *Env) error
}

// Starter starts background work or serving. Start must return once started.
type Starter interface {
	Start(ctx context.Context) error
}

// Closer releases resources. ctx's deadline is the shutdown grace period.
type Closer interface {
	Close(ctx context.Context) error
}

// HealthChecker reports health; nil means healthy.
type HealthChecker interface {
	Health(ctx context.Context) error
}

// Reconciler is called periodically when its host config sets an interval.
type Reconciler interface {
	Reconcile(ctx context.Context) error
}

// RoleDeclarer lists the provider roles a module uses.
type RoleDeclarer interface {
	Roles() []Role
}

// Bound is a provider bound to a role, with its instance name.
type Bound struct {
	Name   string
	Module Module
}

// BindingChecker checks, when the config is checked (before Init, so that
// `cadenza check` reports it), what the config binds to the module's roles,
// e.g. that two providers of a list role do not claim the same work. The
// module's own config is decoded already. Return a *RoleError to have the
// error point at that role's "uses" entry.
type BindingChecker interface {
	CheckBindings(uses map[string][]Bound) error
}

// RoleError is a problem with what a config binds to one role.
type RoleError struct {
	Role   string
	Reason string
}

func (e *RoleError) Error() string { return "role " + e.Role + ": " + e.Reason }

// SiblingDeclarer lists the managers a module needs beside it: for a
// manager, among the other managers of the vendor that declares it; for a
// vendor, among its own managers. Each Role names what is needed (Name is
// the module that usually provides it, for messages: "managers.deployment")
// and the interface it must
// implement; the host checks them before anything is initialised, so a
// missing sibling is a config error, and Init can rely on Manager[T].
type SiblingDeclarer interface {
	Siblings() []Role
}

// EndpointSource is implemented by vendors.
type EndpointSource interface {
	Endpoints() []endpoint.Endpoint
}
