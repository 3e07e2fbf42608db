package fleet

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
)

// ID is the module id.
const ID = "vendors.fleet"

func init() {
	module.Register(module.Registration{ID: ID, New: func() module.Module { return &Vendor{} },
		Summary: "Operator API of the WFM: clients, devices, deployments, catalog (bearer tokens, JSON)"})
}

// maxDeploymentBody bounds an ApplicationDeployment upload.
const maxDeploymentBody = 1 << 20

// Vendor is the operator API.
type Vendor struct {
	cfg         Config
	log         *slog.Logger
	tokens      tokenSet
	onboarding  fleet.Onboarding
	caps        fleet.Capabilities
	deployments fleet.Deployments
	catalog     fleet.Catalog  // nil without a catalog manager
	rollouts    fleet.Rollouts // nil without a rollout manager
	identity    fleet.Identity // nil without an identity manager (rc.3)
}

// ConfigTarget implements module.Configurable.
func (v *Vendor) ConfigTarget() any { return &v.cfg }

// Siblings implements module.SiblingDeclarer: the three fleet managers
// (the catalog and rollouts are optional).
func (v *Vendor) Siblings() []module.Role { return fleet.Siblings() }

// Init finds the three fleet managers among the vendor's managers, and the
// optional catalog.
func (v *Vendor) Init(_ context.Context, env *module.Env) error {
	var err error
	if v.onboarding, v.caps, v.deployments, err = fleet.Find(env, missingManager); err != nil {
		return err
	}
	v.catalog, _ = module.Manager[fleet.Catalog](env)
	v.rollouts, _ = module.Manager[fleet.Rollouts](env)
	v.identity, _ = module.Manager[fleet.Identity](env)
	v.log = env.Logger
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	v.tokens = newTokenSet(v.cfg.Tokens)
	return nil
}

// missingManager names the manager type the vendor lacks.
func missingManager(iface, typ string) error {
	return fmt.Errorf("%s needs a manager implementing %s among its managers (e.g. {\"ref\": \"<name>\"} to the %s the Margo vendor declares)", ID, iface, typ)
}

// Endpoints implements module.EndpointSource. The catalog routes are
// served only when Init found a catalog manager, the deployment
// (rollout) routes only when it found a rollout manager.
func (v *Vendor) Endpoints() []endpoint.Endpoint {
	p := v.cfg.Prefix
	client := p + "/clients/{clientId}"
	deps := client + "/deployments"
	dep := deps + "/{deploymentId}"
	eps := []endpoint.Endpoint{
		{Method: http.MethodGet, Route: p + "/clients", Name: "fleet.clients.list", Handler: v.listClients},
		{Method: http.MethodGet, Route: client, Name: "fleet.clients.get", Handler: v.getClient},
		{Method: http.MethodDelete, Route: client, Name: "fleet.clients.delete", Handler: v.deleteClient},
		{Method: http.MethodPost, Route: client + "/approve", Name: "fleet.clients.approve", Handler: v.setState(fleet.ClientApproved)},
		{Method: http.MethodPost, Route: client + "/reject", Name: "fleet.clients.reject", Handler: v.setState(fleet.ClientRejected)},
		{Method: http.MethodPost, Route: client + "/revoke", Name: "fleet.clients.revoke", Handler: v.setState(fleet.ClientRevoked)},
		{Method: http.MethodGet, Route: p + "/devices", Name: "fleet.devices.list", Handler: v.listDevices},
		{Method: http.MethodGet, Route: client + "/devices/{deviceId:*}", Name: "fleet.devices.get", Handler: v.getDevice},
		{Method: http.MethodPatch, Route: client + "/devices/{deviceId:*}", Name: "fleet.devices.label", Handler: v.patchDevice, MaxBody: maxLabelBody},
		{Method: http.MethodPut, Route: deps, Name: "fleet.deployments.apply", Handler: v.applyDeployment, MaxBody: maxDeploymentBody},
		{Method: http.MethodGet, Route: deps, Name: "fleet.deployments.list", Handler: v.listDeployments},
		{Method: http.MethodGet, Route: dep, Name: "fleet.deployments.get", Handler: v.getDeployment},
		{Method: http.MethodDelete, Route: dep, Name: "fleet.deployments.remove", Handler: v.removeDeployment},
		{Method: http.MethodGet, Route: dep + "/status", Name: "fleet.deployments.status", Handler: v.deploymentStatuses},
		{Method: http.MethodGet, Route: dep + "/document", Name: "fleet.deployments.document", Handler: v.deploymentDocument},
	}
	if v.catalog != nil {
		eps = append(eps, v.catalogEndpoints(p)...)
	}
	if v.rollouts != nil {
		eps = append(eps, v.rolloutEndpoints(p)...)
	}
	if v.identity != nil {
		eps = append(eps, endpoint.Endpoint{Method: http.MethodPost, Route: client + "/svid", Name: "fleet.clients.svid", Handler: v.issueSVID, MaxBody: maxCSRBody},
			endpoint.Endpoint{Method: http.MethodPost, Route: p + "/identity/rotate", Name: "fleet.identity.rotate", Handler: v.rotateIdentity, MaxBody: maxRotateBody})
	}
	for i := range eps {
		eps[i].Handler = v.authenticated(eps[i].Handler)
	}
	return eps
}
