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

// EndpointSource is implemented by vendors.
type EndpointSource interface {
	Endpoints() []endpoint.Endpoint
}
