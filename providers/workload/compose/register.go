package compose

import "github.com/cadenza-edge/cadenza/coa/module"

func init() {
	module.Register(module.Registration{
		ID:      ID,
		New:     func() module.Module { return &Provider{} },
		Summary: "runs compose components on the local Docker engine (Docker Compose v2 as a library)",
	})
}
