package margo

import (
	"context"
	"net/http"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// reportStatus serves POST {prefix}/clients/{clientId}/deployments/{deploymentId}/status:
// a DeploymentStatusManifest (400 unparseable, 422 listing every violation,
// including a body deploymentId that differs from the path), stored by the
// manager (404 deployment-not-found for a deployment the client never had,
// 422 when the components do not match the deployment's) -> 200
// {"acknowledgement":"received"}.
func (v *Vendor) reportStatus(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	if err := requireJSON(req); err != nil {
		return nil, err
	}
	deploymentID := req.Param("deploymentId")
	s, err := document.ParseStatus(req.Body)
	if err != nil {
		return nil, err
	}
	if err := document.Unprocessable(document.ValidateStatus(s, deploymentID, nil)); err != nil {
		return nil, err
	}
	if err := v.deployments.ReportStatus(ctx, req.Param("clientId"), deploymentID, s, req.Body); err != nil {
		err = typed(err, fault.NotFound, document.ProblemDeploymentNotFound)
		return nil, typed(err, fault.Unprocessable, document.ProblemSemanticError)
	}
	return jsonBody(http.StatusOK, `{"acknowledgement":"received"}`), nil
}
