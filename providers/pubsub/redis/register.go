package redis

import "github.com/cadenza-edge/cadenza/coa/module"

func init() {
	module.Register(module.Registration{
		ID:      ID,
		New:     func() module.Module { return New(Config{}) },
		Summary: "pub/sub over Redis Streams shared by hosts: consumer groups, retries, at-least-once with claims",
	})
}
