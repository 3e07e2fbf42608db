package git

import "github.com/cadenza-edge/cadenza/coa/module"

func init() {
	module.Register(module.Registration{
		ID:      ID,
		New:     func() module.Module { return New(Config{}) },
		Summary: "application registries in git repositories (in-memory shallow clone over HTTP(S), local bare repositories)",
	})
}
