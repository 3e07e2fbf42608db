package redis

import "github.com/cadenza-edge/cadenza/coa/module"

func init() {
	module.Register(module.Registration{
		ID:      ID,
		New:     func() module.Module { return &Store{} },
		Summary: "state in a Redis server, shared by the hosts that use it (atomic Lua writes, ordered listing)",
	})
}
