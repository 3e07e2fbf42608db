package deployment

import (
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// deploymentNotFound is the 404 for an unknown deployment or YAML.
func deploymentNotFound(client, id string) error {
	return fault.New(fault.NotFound, "client %s has no deployment %s", client, id).WithType(document.ProblemDeploymentNotFound)
}

// yamlNotFound is the 404 for a YAML digest the server cannot serve.
func yamlNotFound(client, id, digest string) error {
	return fault.New(fault.NotFound, "client %s has no YAML %s for deployment %s", client, digest, id).WithType(document.ProblemDeploymentNotFound)
}

// bundleNotFound is the 404 for a bundle digest the server cannot serve.
func bundleNotFound(client, digest string) error {
	return fault.New(fault.NotFound, "client %s has no bundle %s", client, digest).WithType(document.ProblemInvalidBundle)
}
