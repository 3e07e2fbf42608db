package onboarding

import "github.com/cadenza-edge/cadenza/coa/module"

func init() {
	module.Register(module.Registration{
		ID:      "managers.onboarding",
		New:     func() module.Module { return &Manager{} },
		Summary: "WFM certificate authority and device client onboarding (approve, reject, revoke)",
	})
}
