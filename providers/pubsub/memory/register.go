package memory

import "github.com/cadenza-edge/cadenza/coa/module"

func init() {
	module.Register(module.Registration{
		ID:      "pubsub.memory",
		New:     func() module.Module { return New(Config{}) },
		Summary: "in-process pub/sub: ordered bounded queues per group, retries, no persistence",
	})
}
