package redis

import (
	_ "embed"

	goredis "github.com/redis/go-redis/v9"
)

// The Lua scripts, run with EVALSHA (falling back to EVAL when the server
// does not have them cached, e.g. after a restart).
var (
	//go:embed scripts/retry.lua
	retrySource string
	//go:embed scripts/leave.lua
	leaveSource string
	//go:embed scripts/touch.lua
	touchSource string

	retryScript = goredis.NewScript(retrySource)
	leaveScript = goredis.NewScript(leaveSource)
	touchScript = goredis.NewScript(touchSource)
)
