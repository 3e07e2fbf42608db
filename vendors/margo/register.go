package margo

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/miaf"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// ID is the module id.
const ID = "vendors.margo"

func init() {
	module.Register(module.Registration{ID: ID, New: func() module.Module { return &Vendor{} },
		Summary: "Margo device API of the WFM: P1 (RFC 9421 signatures, /api/v1/clients/{clientId}/...) and, with managers.identity, rc.3 (mutual TLS with X.509-SVIDs) and the identity service"})
}

// Body limits of the endpoints that take a body.
const (
	maxOnboardingBody   = 64 << 10
	maxCapabilitiesBody = 1 << 20
	maxStatusBody       = 1 << 20
)

// Vendor is the Margo device API.
type Vendor struct {
	cfg         Config
	log         *slog.Logger
	onboarding  fleet.Onboarding
	caps        fleet.Capabilities
	deployments fleet.Deployments
	identity    fleet.Identity // nil without a managers.identity (no rc.3 identity service)
	// auth authenticates every P1 endpoint but the two onboarding ones.
	auth Authenticator
	// svidAuth authenticates the rc.3 endpoints (nil without identity).
	svidAuth Authenticator
	// rc3Manifests caches rc.3 renderings of stored manifests.
	rc3Manifests *lru.Cache[string, []byte]
	// verifier checks signed onboarding requests (and backs SignatureAuth).
	verifier signature.Verifier
}

// ConfigTarget implements module.Configurable.
func (v *Vendor) ConfigTarget() any { return &v.cfg }

// Siblings implements module.SiblingDeclarer: the three fleet managers.
func (v *Vendor) Siblings() []module.Role { return fleet.Siblings() }

// Init finds the three fleet managers among the vendor's managers.
func (v *Vendor) Init(_ context.Context, env *module.Env) error {
	var err error
	if v.onboarding, v.caps, v.deployments, err = fleet.Find(env, missingManager); err != nil {
		return err
	}
	v.identity, _ = module.Manager[fleet.Identity](env)
	// Manifests must point at the routes this vendor serves.
	if p, ok := v.deployments.(interface{ URLPrefix() string }); ok && p.URLPrefix() != v.cfg.Prefix {
		return fmt.Errorf("%s serves %s but the deployment manager writes manifest URLs under %s: set its \"urlPrefix\" to %q", ID, v.cfg.Prefix, p.URLPrefix(), v.cfg.Prefix)
	}
	v.log = env.Logger
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	v.verifier = signature.Verifier{Window: v.cfg.Signature.Window.D(), Skew: v.cfg.Signature.Skew.D()}
	v.auth = &SignatureAuth{Clients: v.onboarding, Verifier: v.verifier}
	if v.identity != nil {
		v.svidAuth = &SVIDAuth{Identity: v.identity, Clients: v.onboarding}
		if v.rc3Manifests, err = lru.New[string, []byte](rc3ManifestCache); err != nil {
			return err
		}
	}
	return nil
}

// missingManager names the manager type a vendor lacks.
func missingManager(iface, typ string) error {
	return fmt.Errorf("%s needs a manager implementing %s among its managers (e.g. %s, or {\"ref\": \"<name>\"} to a shared one)", ID, iface, typ)
}

// Endpoints implements module.EndpointSource.
func (v *Vendor) Endpoints() []endpoint.Endpoint {
	p := v.cfg.Prefix
	authenticated := Authenticated(v.auth)
	auth := func(h endpoint.Handler) endpoint.Handler { return authenticated(v.seen(h)) }
	caps := p + "/clients/{clientId}/capabilities"
	device := caps + "/{deviceId:*}" // catch-all: hierarchical ids (gw/child) and gw%2Fchild
	deps := p + "/clients/{clientId}/deployments"
	eps := []endpoint.Endpoint{
		{Method: http.MethodGet, Route: p + "/onboarding/certificate", Name: "margo.certificate", Handler: v.caCertificate},
		{Method: http.MethodPost, Route: p + "/onboarding", Name: "margo.onboard", Handler: v.onboard, MaxBody: maxOnboardingBody},
		{Method: http.MethodPost, Route: caps, Name: "margo.capabilities.report", Handler: auth(v.reportCapabilities(false)), MaxBody: maxCapabilitiesBody},
		{Method: http.MethodPut, Route: caps, Name: "margo.capabilities.report", Handler: auth(v.reportCapabilities(false)), MaxBody: maxCapabilitiesBody},
		{Method: http.MethodPost, Route: device, Name: "margo.capabilities.report", Handler: auth(v.reportCapabilities(true)), MaxBody: maxCapabilitiesBody},
		{Method: http.MethodPut, Route: device, Name: "margo.capabilities.report", Handler: auth(v.reportCapabilities(true)), MaxBody: maxCapabilitiesBody},
		{Method: http.MethodDelete, Route: device, Name: "margo.capabilities.remove", Handler: auth(v.removeDevice)},
		{Method: http.MethodGet, Route: deps, Name: "margo.manifest", Handler: auth(v.manifest)},
		{Method: http.MethodGet, Route: deps + "/{deploymentId}/{digest}", Name: "margo.deployment", Handler: auth(v.deploymentYAML)},
		{Method: http.MethodPost, Route: deps + "/{deploymentId}/status", Name: "margo.status", Handler: auth(v.reportStatus), MaxBody: maxStatusBody},
		{Method: http.MethodGet, Route: p + "/clients/{clientId}/bundles/{digest}", Name: "margo.bundle", Handler: auth(v.bundle)},
	}
	if v.identity != nil {
		eps = append(eps,
			endpoint.Endpoint{Method: http.MethodGet, Route: miaf.DiscoveryPath, Name: "margo.identity.discovery", Handler: v.discovery},
			endpoint.Endpoint{Method: http.MethodGet, Route: miaf.DefaultBundlePath, Name: "margo.identity.bundle", Handler: v.trustBundle})
		eps = append(eps, v.rc3Endpoints()...)
	}
	return eps
}
