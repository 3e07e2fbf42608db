package fleet

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
	"sigs.k8s.io/yaml"
)

// applyDeployment serves PUT /clients/{clientId}/deployments: the body is an
// ApplicationDeployment YAML (Content-Type application/yaml, text/yaml, their
// x- forms, or none; anything else is 415) for an existing client (404
// otherwise). The deployment manager validates and stores it: 201 with a
// Location when it created the deployment, 200 when it replaced one that
// was live (the id in the document named an existing, not deleted one).
func (v *Vendor) applyDeployment(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	if err := requireYAML(req); err != nil {
		return nil, err
	}
	clientID := req.Param("clientId")
	if _, err := v.onboarding.Client(ctx, clientID); err != nil {
		return nil, err
	}
	if err := v.checkTargetDevice(ctx, clientID, req.Body); err != nil {
		return nil, err
	}
	existed := false
	if id := deploymentIDOf(req.Body); id != "" {
		d, err := v.deployments.Deployment(ctx, clientID, id)
		switch {
		case err == nil:
			existed = !d.Deleted
		case !fault.Is(err, fault.NotFound):
			return nil, err
		}
	}
	d, err := v.deployments.Apply(ctx, clientID, req.Body)
	if err != nil {
		return nil, err
	}
	v.log.Info("deployment applied by operator", "clientId", clientID, "deploymentId", d.DeploymentID, "digest", d.Digest, "replaced", existed)
	if existed {
		return endpoint.Encode(http.StatusOK, d)
	}
	resp, err := endpoint.Encode(http.StatusCreated, d)
	if err == nil {
		resp.Metadata.Set("Location", v.cfg.Prefix+"/clients/"+url.PathEscape(clientID)+"/deployments/"+url.PathEscape(d.DeploymentID))
	}
	return resp, err
}

// deploymentIDOf reads the deployment id a YAML document names, P1
// (metadata.annotations.id) or P2 (top-level id), without validating
// anything: "" when there is none or the bytes do not parse (the manager
// reports that).
func deploymentIDOf(doc []byte) string {
	d := headerOf(doc)
	if d.Metadata.Annotations.ID != "" {
		return d.Metadata.Annotations.ID
	}
	return d.ID
}

// docHeader is what the operator API reads of a deployment document
// before the deployment manager parses it.
type docHeader struct {
	ID       string `json:"id"`
	Metadata struct {
		DeviceID    string `json:"deviceId"`
		Annotations struct {
			ID string `json:"id"`
		} `json:"annotations"`
	} `json:"metadata"`
}

// headerOf reads the header of a deployment document (zero when it is not
// YAML: the deployment manager reports that).
func headerOf(doc []byte) docHeader {
	var d docHeader
	_ = yaml.Unmarshal(doc, &d)
	return d
}

// checkTargetDevice refuses a document whose metadata.deviceId names a
// device the client has not reported (422, naming it). A trailing "/*"
// (the gateway places it) names the gateway.
func (v *Vendor) checkTargetDevice(ctx context.Context, clientID string, doc []byte) error {
	dev := strings.TrimSuffix(headerOf(doc).Metadata.DeviceID, "/*")
	if dev == "" {
		return nil
	}
	_, err := v.caps.Device(ctx, clientID, dev)
	if fault.Is(err, fault.NotFound) {
		return document.Unprocessable([]fault.Violation{{Field: "metadata.deviceId",
			Message: fmt.Sprintf("device %s/%s is not known to the WFM: it must report its capabilities first (cadenza device list)", clientID, dev)}})
	}
	return err
}

// requireYAML accepts no Content-Type or a YAML one.
func requireYAML(req *endpoint.Request) error {
	ct := req.Metadata.Get("content-type")
	if strings.Trim(ct, " \t") == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		switch mt {
		case "application/yaml", "text/yaml", "application/x-yaml", "text/x-yaml":
			return nil
		}
	}
	return fault.New(fault.UnsupportedMedia, "content type %.80q is not YAML; send application/yaml", ct)
}

// listDeployments serves GET /clients/{clientId}/deployments, paged.
func (v *Vendor) listDeployments(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	page, err := pageOf(req)
	if err != nil {
		return nil, err
	}
	items, next, err := v.deployments.List(ctx, req.Param("clientId"), page)
	if err != nil {
		return nil, err
	}
	return listResponse(items, next)
}

// getDeployment serves GET /clients/{clientId}/deployments/{deploymentId}.
func (v *Vendor) getDeployment(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	d, err := v.deployments.Deployment(ctx, req.Param("clientId"), req.Param("deploymentId"))
	if err != nil {
		return nil, err
	}
	return endpoint.Encode(http.StatusOK, d)
}

// removeDeployment serves DELETE /clients/{clientId}/deployments/{deploymentId}:
// 202, because the deployment only leaves the manifest now; the device
// uninstalls it and reports removing, then removed.
func (v *Vendor) removeDeployment(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	clientID, id := req.Param("clientId"), req.Param("deploymentId")
	if err := v.deployments.Remove(ctx, clientID, id); err != nil {
		return nil, err
	}
	v.log.Info("deployment removed by operator", "clientId", clientID, "deploymentId", id)
	resp := endpoint.Status(http.StatusAccepted)
	resp.Metadata.Set("Location", v.cfg.Prefix+"/clients/"+url.PathEscape(clientID)+"/deployments/"+url.PathEscape(id)+"/status")
	return resp, nil
}

// deploymentStatuses serves GET /clients/{clientId}/deployments/{deploymentId}/status:
// the status reports, newest first (?limit=); 404 for an unknown deployment.
func (v *Vendor) deploymentStatuses(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	clientID, id := req.Param("clientId"), req.Param("deploymentId")
	limit, err := limitOf(req)
	if err != nil {
		return nil, err
	}
	if _, err := v.deployments.Deployment(ctx, clientID, id); err != nil {
		return nil, err
	}
	items, err := v.deployments.Statuses(ctx, clientID, id, limit)
	if err != nil {
		return nil, err
	}
	return listResponse(items, "")
}

// deploymentDocument serves GET /clients/{clientId}/deployments/{deploymentId}/document:
// the current ApplicationDeployment YAML, the exact bytes the device fetches.
func (v *Vendor) deploymentDocument(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	b, err := v.deployments.Document(ctx, req.Param("clientId"), req.Param("deploymentId"))
	if err != nil {
		return nil, err
	}
	resp := endpoint.Status(http.StatusOK)
	resp.Body = b
	resp.Metadata.Set("Content-Type", "application/yaml")
	return resp, nil
}
