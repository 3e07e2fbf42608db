package margo

import (
	"context"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// SVIDAuth is the rc.3 (MIAF) Authenticator: the caller is the client
// named by the X.509-SVID it presented in the TLS handshake (the binding
// verified the chain against the trust bundle: bindings.http tls.clientCA),
// checked again against the trust domain CA alone and the Margo leaf rules
// (fleet.Identity.VerifyClient), and it must be a client the WFM still
// accepts: a valid SVID is not enough (an operator may have retired it).
// Every refusal is 403 not-authorized.
type SVIDAuth struct {
	Identity fleet.Identity
	Clients  ClientSource
}

// Authenticate implements Authenticator; rc.3 routes have no {clientId}.
func (a *SVIDAuth) Authenticate(ctx context.Context, req *endpoint.Request, _ string) (fleet.Client, error) {
	if len(req.PeerCertificates) == 0 {
		return fleet.Client{}, notAuthorized("a client certificate is required: rc.3 routes use mutual TLS with the client's X.509-SVID")
	}
	id, err := a.Identity.VerifyClient(req.PeerCertificates)
	if err != nil {
		return fleet.Client{}, notAuthorized("%v", err)
	}
	c, err := a.Clients.Client(ctx, id.Client)
	switch {
	case fault.Is(err, fault.NotFound):
		return fleet.Client{}, notAuthorized("client %s is not an accepted client of this WFM", id.Client)
	case err != nil:
		return fleet.Client{}, err
	case c.State != fleet.ClientApproved:
		return fleet.Client{}, notAuthorized("client relationship retired: client %s is %s", id.Client, c.State)
	}
	c.Certificate = req.PeerCertificates[0]
	return c, nil
}

func notAuthorized(format string, args ...any) error {
	return problem(fault.Forbidden, document.ProblemNotAuthorizedP2, format, args...)
}
