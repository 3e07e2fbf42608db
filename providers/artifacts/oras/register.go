package oras

import "github.com/cadenza-edge/cadenza/coa/module"

func init() {
	module.Register(module.Registration{
		ID:      ID,
		New:     func() module.Module { return &Puller{} },
		Summary: "OCI artifact puller (Helm charts, Compose archives) with a digest-addressed cache, via oras-go",
	})
}
