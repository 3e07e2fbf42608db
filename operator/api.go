package operator

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cadenza-edge/cadenza/fleet"
)

func errorOf(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Clients lists the onboarded clients (GET /clients, every page).
func (c *Client) Clients(ctx context.Context, opts ...Option) ([]fleet.Client, error) {
	return list[fleet.Client](ctx, c, "/clients", nil, opts)
}

// GetClient returns one client (GET /clients/{clientId}).
func (c *Client) GetClient(ctx context.Context, clientID string, opts ...Option) (fleet.Client, error) {
	return get[fleet.Client](ctx, c, pathOf("clients", clientID), nil, opts)
}

// SetClientState approves, rejects or revokes a client (POST
// /clients/{clientId}/approve, /reject or /revoke).
func (c *Client) SetClientState(ctx context.Context, clientID string, state fleet.ClientState, opts ...Option) (fleet.Client, error) {
	verb := map[fleet.ClientState]string{fleet.ClientApproved: "approve", fleet.ClientRejected: "reject", fleet.ClientRevoked: "revoke"}[state]
	if verb == "" {
		return fleet.Client{}, errors.New("a client's state can be set to approved, rejected or revoked only")
	}
	return send[fleet.Client](ctx, c, request{method: http.MethodPost, path: pathOf("clients", clientID, verb)}, opts)
}

// DeleteClient cuts a client off (DELETE /clients/{clientId}); with forget,
// everything kept for its deployments is dropped too.
func (c *Client) DeleteClient(ctx context.Context, clientID string, forget bool) error {
	_, err := c.call(ctx, request{method: http.MethodDelete, path: pathOf("clients", clientID), query: forgetQuery(forget)}, nil, callOptions{})
	return err
}

func forgetQuery(forget bool) url.Values {
	if !forget {
		return nil
	}
	return url.Values{"forget": {"true"}}
}

// DeviceFilter selects devices; empty members select every device.
type DeviceFilter struct {
	ClientID string
	// Labels are label filters: "k=v" (the label's string form) or "k" (the
	// label exists), all of which must match the effective labels.
	Labels []string
}

// Devices lists devices (GET /devices, every page).
func (c *Client) Devices(ctx context.Context, f DeviceFilter, opts ...Option) ([]fleet.Device, error) {
	q := url.Values{}
	if f.ClientID != "" {
		q.Set("clientId", f.ClientID)
	}
	for _, l := range f.Labels {
		q.Add("label", l)
	}
	return list[fleet.Device](ctx, c, "/devices", q, opts)
}

func devicePath(d fleet.DeviceRef) string {
	return pathOf("clients", d.ClientID, "devices", "/"+d.DeviceID)
}

// Device returns one device (GET /clients/{clientId}/devices/{deviceId}).
func (c *Client) Device(ctx context.Context, d fleet.DeviceRef, opts ...Option) (fleet.Device, error) {
	return get[fleet.Device](ctx, c, devicePath(d), nil, opts)
}

// DeviceHistory returns a device's past capabilities reports, newest first.
func (c *Client) DeviceHistory(ctx context.Context, d fleet.DeviceRef, opts ...Option) ([]fleet.CapabilitiesReport, error) {
	return list[fleet.CapabilitiesReport](ctx, c, devicePath(d)+"/history", nil, opts)
}

// LabelDevice applies a merge patch to the operator's labels of a device:
// a nil value removes the label (PATCH /clients/{clientId}/devices/{deviceId}).
func (c *Client) LabelDevice(ctx context.Context, d fleet.DeviceRef, labels map[string]any, opts ...Option) (fleet.Device, error) {
	return send[fleet.Device](ctx, c, request{method: http.MethodPatch, path: devicePath(d), body: fleet.LabelPatch{Labels: labels},
		contentType: "application/merge-patch+json"}, opts)
}

// ApplyDeployment assigns an ApplicationDeployment YAML to a client (PUT
// /clients/{clientId}/deployments); created tells a new deployment from a
// replaced one.
func (c *Client) ApplyDeployment(ctx context.Context, clientID string, yaml []byte, opts ...Option) (d fleet.Deployment, created bool, err error) {
	o := optionsOf(opts)
	b, status, err := c.do(ctx, request{method: http.MethodPut, path: pathOf("clients", clientID, "deployments"), body: rawBody(yaml), contentType: "application/yaml"})
	if err != nil {
		return d, false, err
	}
	if o.raw != nil {
		*o.raw = b
	}
	return d, status == http.StatusCreated, decodeInto(b, &d, "/clients/{clientId}/deployments")
}

// ClientDeployments lists a client's deployments.
func (c *Client) ClientDeployments(ctx context.Context, clientID string, opts ...Option) ([]fleet.Deployment, error) {
	return list[fleet.Deployment](ctx, c, pathOf("clients", clientID, "deployments"), nil, opts)
}

// ClientDeployment returns one deployment of a client.
func (c *Client) ClientDeployment(ctx context.Context, clientID, deploymentID string, opts ...Option) (fleet.Deployment, error) {
	return get[fleet.Deployment](ctx, c, pathOf("clients", clientID, "deployments", deploymentID), nil, opts)
}

// RemoveClientDeployment takes a deployment out of the client's manifest;
// the device then uninstalls it.
func (c *Client) RemoveClientDeployment(ctx context.Context, clientID, deploymentID string) error {
	_, err := c.call(ctx, request{method: http.MethodDelete, path: pathOf("clients", clientID, "deployments", deploymentID)}, nil, callOptions{})
	return err
}

// DeploymentDocument returns a deployment's current ApplicationDeployment
// YAML, the exact bytes the device fetches.
func (c *Client) DeploymentDocument(ctx context.Context, clientID, deploymentID string) ([]byte, error) {
	b, _, err := c.do(ctx, request{method: http.MethodGet, path: pathOf("clients", clientID, "deployments", deploymentID, "document")})
	return b, err
}

// StatusReports returns the status reports of one deployment of a client,
// newest first.
func (c *Client) StatusReports(ctx context.Context, clientID, deploymentID string, opts ...Option) ([]fleet.StatusReport, error) {
	return list[fleet.StatusReport](ctx, c, pathOf("clients", clientID, "deployments", deploymentID, "status"), nil, opts)
}

// Registries lists the catalog's registries.
func (c *Client) Registries(ctx context.Context, opts ...Option) ([]fleet.Registry, error) {
	return list[fleet.Registry](ctx, c, "/registries", nil, opts)
}

// AddRegistry adds a registry; it is not synced yet.
func (c *Client) AddRegistry(ctx context.Context, s fleet.RegistrySpec, opts ...Option) (fleet.Registry, error) {
	return send[fleet.Registry](ctx, c, request{method: http.MethodPost, path: "/registries", body: s}, opts)
}

// Registry returns one registry and the outcome of its last sync.
func (c *Client) Registry(ctx context.Context, name string, opts ...Option) (fleet.Registry, error) {
	return get[fleet.Registry](ctx, c, pathOf("registries", name), nil, opts)
}

// SyncRegistry syncs a registry now. A failed fetch is not an error: it is
// the registry's LastError.
func (c *Client) SyncRegistry(ctx context.Context, name string, opts ...Option) (fleet.Registry, error) {
	return send[fleet.Registry](ctx, c, request{method: http.MethodPost, path: pathOf("registries", name, "sync")}, opts)
}

// RemoveRegistry removes a registry and the application versions it brought.
func (c *Client) RemoveRegistry(ctx context.Context, name string) error {
	_, err := c.call(ctx, request{method: http.MethodDelete, path: pathOf("registries", name)}, nil, callOptions{})
	return err
}

// Applications lists the catalog.
func (c *Client) Applications(ctx context.Context, opts ...Option) ([]fleet.Application, error) {
	return list[fleet.Application](ctx, c, "/applications", nil, opts)
}

// Application returns one application and its versions.
func (c *Client) Application(ctx context.Context, id string, opts ...Option) (fleet.Application, error) {
	return get[fleet.Application](ctx, c, pathOf("applications", id), nil, opts)
}

// ApplicationVersion returns one version of an application.
func (c *Client) ApplicationVersion(ctx context.Context, id, version string, opts ...Option) (fleet.ApplicationVersion, error) {
	return get[fleet.ApplicationVersion](ctx, c, pathOf("applications", id, "versions", version), nil, opts)
}

// CreateDeployment creates an operator deployment (a rollout) and renders
// it on every targeted device (POST /deployments).
func (c *Client) CreateDeployment(ctx context.Context, spec fleet.RolloutSpec, opts ...Option) (fleet.Rollout, error) {
	return send[fleet.Rollout](ctx, c, request{method: http.MethodPost, path: "/deployments", body: spec}, opts)
}

// Deployments lists operator deployments.
func (c *Client) Deployments(ctx context.Context, f fleet.RolloutFilter, opts ...Option) ([]fleet.Rollout, error) {
	q := url.Values{}
	if f.Application != "" {
		q.Set("application", f.Application)
	}
	if f.ClientID != "" {
		q.Set("clientId", f.ClientID)
	}
	return list[fleet.Rollout](ctx, c, "/deployments", q, opts)
}

// Deployment returns one operator deployment with its summary.
func (c *Client) Deployment(ctx context.Context, id string, opts ...Option) (fleet.Rollout, error) {
	return get[fleet.Rollout](ctx, c, pathOf("deployments", id), nil, opts)
}

// UpdateDeployment changes an operator deployment (PATCH
// /deployments/{id}); a patch with IfGeneration applies only to that
// generation (If-Match; a *Error with status 412 otherwise).
func (c *Client) UpdateDeployment(ctx context.Context, id string, patch fleet.RolloutPatch, opts ...Option) (fleet.Rollout, error) {
	r := request{method: http.MethodPatch, path: pathOf("deployments", id), body: patch}
	if patch.IfGeneration > 0 {
		r.ifMatch = strconv.Quote(strconv.FormatUint(patch.IfGeneration, 10))
	}
	return send[fleet.Rollout](ctx, c, r, opts)
}

// DeleteDeployment deletes an operator deployment: gone tells whether it is
// gone already (204), else its devices are uninstalling it (202). With
// forget, everything is dropped at once.
func (c *Client) DeleteDeployment(ctx context.Context, id string, forget bool) (gone bool, err error) {
	status, err := c.call(ctx, request{method: http.MethodDelete, path: pathOf("deployments", id), query: forgetQuery(forget)}, nil, callOptions{})
	return status == http.StatusNoContent, err
}

// Placements lists where a deployment stands on each targeted device.
func (c *Client) Placements(ctx context.Context, id string, opts ...Option) ([]fleet.Placement, error) {
	return list[fleet.Placement](ctx, c, pathOf("deployments", id, "devices"), nil, opts)
}

// Eligibility says, profile by profile, whether a device may run an
// application version ("": the latest), or only profile when given.
func (c *Client) Eligibility(ctx context.Context, application, version, profile string, d fleet.DeviceRef, opts ...Option) (fleet.Explanation, error) {
	q := url.Values{"application": {application}, "clientId": {d.ClientID}, "deviceId": {d.DeviceID}}
	if version != "" {
		q.Set("version", version)
	}
	if profile != "" {
		q.Set("profile", profile)
	}
	return get[fleet.Explanation](ctx, c, "/eligibility", q, opts)
}
