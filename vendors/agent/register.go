// Package agent is vendors.agent: the device agent's local API, for
// operators on the device. It serves, under its prefix (default
// /agent/v1), JSON views of managers.sync:
//
//	GET  /status                     clientId, WFM URL, accepted manifest version and ETag,
//	                                 last poll time and result, status queue depth
//	GET  /deployments                every deployment with its overall and per-component state
//	GET  /deployments/{deploymentId} one deployment
//	GET  /errors?limit=N             the last N errors (default 20), newest first
//	POST /sync                       poll the WFM now (202)
//
// Health is the host's /healthz and /readyz. The API has no authentication:
// bind it to 127.0.0.1 (as samples/agent.json does).
package agent

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/managers/sync"
)

// ID is the module id.
const ID = "vendors.agent"

// Default and largest ?limit of /errors.
const (
	defaultErrors = 20
	maxErrors     = 10000
)

func init() {
	module.Register(module.Registration{ID: ID, New: func() module.Module { return &Vendor{} },
		Summary: "Device agent local API: status, deployments, errors of managers.sync"})
}

// Vendor serves the local API.
type Vendor struct {
	cfg  Config
	sync *sync.Manager
}

// ConfigTarget implements module.Configurable.
func (v *Vendor) ConfigTarget() any { return &v.cfg }

// Siblings implements module.SiblingDeclarer: a managers.sync.
func (v *Vendor) Siblings() []module.Role {
	return []module.Role{module.Need[*sync.Manager](sync.ID)}
}

// Init finds the managers.sync among the vendor's managers.
func (v *Vendor) Init(_ context.Context, env *module.Env) error {
	m, ok := module.Manager[*sync.Manager](env)
	if !ok {
		return errors.New("vendors.agent needs a managers.sync in its managers list")
	}
	v.sync = m
	return nil
}

// Endpoints implements module.EndpointSource.
func (v *Vendor) Endpoints() []endpoint.Endpoint {
	p := v.cfg.Prefix
	return []endpoint.Endpoint{
		{Method: http.MethodGet, Route: p + "/status", Name: "agent.status", Handler: v.status},
		{Method: http.MethodGet, Route: p + "/deployments", Name: "agent.deployments.list", Handler: v.deployments},
		{Method: http.MethodGet, Route: p + "/deployments/{deploymentId}", Name: "agent.deployments.get", Handler: v.deployment},
		{Method: http.MethodGet, Route: p + "/errors", Name: "agent.errors", Handler: v.errors},
		{Method: http.MethodPost, Route: p + "/sync", Name: "agent.sync", Handler: v.syncNow},
	}
}

func (v *Vendor) status(ctx context.Context, _ *endpoint.Request) (*endpoint.Response, error) {
	s, err := v.sync.Status(ctx)
	if err != nil {
		return nil, err
	}
	return endpoint.Encode(http.StatusOK, s)
}

// list is the envelope of a collection.
type list[T any] struct {
	Items []T `json:"items"`
}

func (v *Vendor) deployments(ctx context.Context, _ *endpoint.Request) (*endpoint.Response, error) {
	ds, err := v.sync.Deployments(ctx)
	if err != nil {
		return nil, err
	}
	return endpoint.Encode(http.StatusOK, list[sync.DeploymentView]{Items: ds})
}

func (v *Vendor) deployment(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	d, err := v.sync.Deployment(ctx, req.Param("deploymentId"))
	if err != nil {
		return nil, err
	}
	return endpoint.Encode(http.StatusOK, d)
}

func (v *Vendor) errors(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	limit := defaultErrors
	if s := req.Query.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxErrors {
			return nil, fault.New(fault.BadRequest, "limit must be an integer from 1 to %d", maxErrors)
		}
		limit = n
	}
	es, err := v.sync.Errors(ctx, limit)
	if err != nil {
		return nil, err
	}
	return endpoint.Encode(http.StatusOK, list[sync.ErrorRecord]{Items: es})
}

func (v *Vendor) syncNow(context.Context, *endpoint.Request) (*endpoint.Response, error) {
	v.sync.Sync()
	return endpoint.Encode(http.StatusAccepted, map[string]string{"status": "poll requested"})
}
