package redis

import (
	_ "embed"

	goredis "github.com/redis/go-redis/v9"
)

// The Lua scripts, run with EVALSHA (falling back to EVAL when the server
// does not have them cached, e.g. after a restart).
var (
	//go:embed scripts/write.lua
	writeSource string
	//go:embed scripts/list.lua
	listSource string

	writeScript = goredis.NewScript(writeSource)
	listScript  = goredis.NewScript(listSource)
)
