package helm

import "github.com/cadenza-edge/cadenza/coa/module"

func init() {
	module.Register(module.Registration{
		ID:      ID,
		New:     func() module.Module { return &Provider{} },
		Summary: "runs helm.v3 components as Helm releases on a Kubernetes cluster (Helm v3 SDK; charts via the artifacts role)",
	})
}
