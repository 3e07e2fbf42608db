package memory

import "github.com/cadenza-edge/cadenza/coa/module"

func init() {
	module.Register(module.Registration{
		ID:      ID,
		New:     func() module.Module { return New() },
		Summary: "in-memory state store; data is lost when the process exits",
	})
}
