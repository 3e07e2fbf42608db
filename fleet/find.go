package fleet

import "github.com/cadenza-edge/cadenza/coa/module"

// Find returns the three fleet managers among env's managers (the first of
// each kind), as the vendors that expose them need. When one is missing it
// returns the error of missing for the first that is, given the interface
// ("fleet.Onboarding") and the module that implements it
// ("managers.onboarding"): each vendor words it for its own configuration.
func Find(env *module.Env, missing func(iface, typ string) error) (Onboarding, Capabilities, Deployments, error) {
	o, ok := module.Manager[Onboarding](env)
	if !ok {
		return nil, nil, nil, missing("fleet.Onboarding", "managers.onboarding")
	}
	c, ok := module.Manager[Capabilities](env)
	if !ok {
		return nil, nil, nil, missing("fleet.Capabilities", "managers.capabilities")
	}
	d, ok := module.Manager[Deployments](env)
	if !ok {
		return nil, nil, nil, missing("fleet.Deployments", "managers.deployment")
	}
	return o, c, d, nil
}

// Siblings declares the three fleet managers (module.SiblingDeclarer), for
// the vendors and managers that use Find: `cadenza check` then reports a
// missing one before anything starts.
func Siblings() []module.Role {
	return []module.Role{
		module.Need[Onboarding]("managers.onboarding"),
		module.Need[Capabilities]("managers.capabilities"),
		module.Need[Deployments]("managers.deployment"),
	}
}
