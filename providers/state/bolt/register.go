package bolt

import "github.com/cadenza-edge/cadenza/coa/module"

func init() {
	module.Register(module.Registration{
		ID:      ID,
		New:     func() module.Module { return &Store{} },
		Summary: "embedded state store in one bbolt file (the default)",
	})
}
