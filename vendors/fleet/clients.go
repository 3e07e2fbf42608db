package fleet

import (
	"context"
	"net/http"
	"strconv"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
)

// listClients serves GET /clients: clients in id order, paged.
func (v *Vendor) listClients(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	page, err := pageOf(req)
	if err != nil {
		return nil, err
	}
	items, next, err := v.onboarding.Clients(ctx, page)
	if err != nil {
		return nil, err
	}
	return listResponse(items, next)
}

// getClient serves GET /clients/{clientId}.
func (v *Vendor) getClient(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	c, err := v.onboarding.Client(ctx, req.Param("clientId"))
	if err != nil {
		return nil, err
	}
	return endpoint.Encode(http.StatusOK, c)
}

// setState serves POST /clients/{clientId}/approve, /reject and /revoke:
// 200 with the updated client.
func (v *Vendor) setState(state fleet.ClientState) endpoint.Handler {
	return func(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
		c, err := v.onboarding.SetState(ctx, req.Param("clientId"), state)
		if err != nil {
			return nil, err
		}
		v.log.Info("client state set by operator", "clientId", c.ID, "state", c.State)
		return endpoint.Encode(http.StatusOK, c)
	}
}

// deleteClient serves DELETE /clients/{clientId}[?forget]: the client is
// rejected, so it can no longer use the device API; with ?forget (or
// forget=true) everything kept for its deployments is dropped as well.
// 204 on success.
func (v *Vendor) deleteClient(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	forget, err := flag(req, "forget")
	if err != nil {
		return nil, err
	}
	id := req.Param("clientId")
	c, err := v.onboarding.Client(ctx, id)
	if err != nil {
		return nil, err
	}
	// Cut the client off with the transition its state allows: an approved
	// client is revoked, a pending one rejected; rejected and revoked stay.
	switch c.State {
	case fleet.ClientApproved:
		_, err = v.onboarding.SetState(ctx, id, fleet.ClientRevoked)
	case fleet.ClientPending:
		_, err = v.onboarding.SetState(ctx, id, fleet.ClientRejected)
	}
	if err != nil {
		return nil, err
	}
	if forget {
		if err := v.deployments.Forget(ctx, id); err != nil {
			return nil, err
		}
	}
	v.log.Info("client deleted by operator", "clientId", id, "forget", forget)
	return endpoint.NoContent(), nil
}

// flag reads a boolean query parameter: absent is false; present without a
// value ("?forget", "?forget=") is true; otherwise a strconv.ParseBool value.
func flag(req *endpoint.Request, name string) (bool, error) {
	vals, ok := req.Query[name]
	if !ok {
		return false, nil
	}
	if len(vals) == 0 || vals[0] == "" {
		return true, nil
	}
	b, err := strconv.ParseBool(vals[0])
	if err != nil {
		return false, fault.New(fault.BadRequest, "%s=%.20q: use true or false", name, vals[0])
	}
	return b, nil
}
