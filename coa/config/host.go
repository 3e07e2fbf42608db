package config

import (
	"encoding/json"
)

// Host is a host config document: the providers declared once by name, the
// vendors with their managers, and the bindings that serve the vendors.
type Host struct {
	// Name identifies the host in logs, traces and metrics.
	Name string `json:"name"`
	// ShutdownGrace bounds a graceful shutdown (default 10s).
	ShutdownGrace Duration `json:"shutdownGrace,omitempty"`
	// Logging and Telemetry are decoded by the host program (they need the
	// OpenTelemetry SDK, which the framework does not import).
	Logging   json.RawMessage `json:"logging,omitempty"`
	Telemetry json.RawMessage `json:"telemetry,omitempty"`
	// Providers in document order.
	Providers []Provider `json:"-"`
	Vendors   []Vendor   `json:"vendors"`
	Bindings  []Instance `json:"bindings"`
}

// Instance is a module declared by type with its own config.
type Instance struct {
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config,omitempty"`
}

// Provider is a named provider instance. Uses binds the roles the provider
// declares (e.g. workload.compose's "artifacts") to providers declared
// before it, by instance name.
type Provider struct {
	Name string
	Instance
	Uses map[string]Names
}

// providerDecl is a provider as written in the providers object.
type providerDecl struct {
	Type   string           `json:"type"`
	Config json.RawMessage  `json:"config,omitempty"`
	Uses   map[string]Names `json:"uses,omitempty"`
}

// Vendor is a vendor with its managers.
type Vendor struct {
	Type     string           `json:"type"`
	Config   json.RawMessage  `json:"config,omitempty"`
	Uses     map[string]Names `json:"uses,omitempty"`
	Managers []Manager        `json:"managers,omitempty"`
}

// Manager is a manager: its provider roles and an optional reconcile
// interval. A manager that two vendors share is declared once with a Name
// and listed by the other vendor as {"ref": "<name>"}.
type Manager struct {
	Name     string           `json:"name,omitempty"`
	Ref      string           `json:"ref,omitempty"`
	Type     string           `json:"type,omitempty"`
	Config   json.RawMessage  `json:"config,omitempty"`
	Uses     map[string]Names `json:"uses,omitempty"`
	Interval Duration         `json:"interval,omitempty"`
}
