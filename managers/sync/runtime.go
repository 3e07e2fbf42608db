package sync

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/margo/profile"
)

// runtimes maps each deployment profile type to the one workload provider
// bound to the agent that runs it, from what each provider declares
// (workload.Provider.Types). The agent names no runtime itself: a new one
// is a provider package and one more name in "uses": {"workload": [...]}.
type runtimes struct {
	byType map[string]workload.Provider
}

// newRuntimes indexes the bound providers by the profile types they run.
// Two providers claiming one type are refused earlier (CheckBindings);
// here the first one wins.
func newRuntimes(ps []workload.Provider) runtimes {
	r := runtimes{byType: map[string]workload.Provider{}}
	for _, p := range ps {
		for _, t := range p.Types() {
			if _, dup := r.byType[t]; !dup {
				r.byType[t] = p
			}
		}
	}
	return r
}

// provider returns the workload provider for a profile type, or an error
// for the status report when the device has none.
func (r runtimes) provider(profileType string) (workload.Provider, error) {
	if p, ok := r.byType[profileType]; ok {
		return p, nil
	}
	return nil, fault.New(fault.BadRequest, "no workload provider for profile type %s on this device (it runs: %s)", profileType, r.describe())
}

// same reports whether two profile types run on the same provider (a
// deployment moving from one to the other keeps its components there).
func (r runtimes) same(a, b string) bool {
	pa, oka := r.byType[a]
	pb, okb := r.byType[b]
	return oka && okb && pa == pb
}

// types returns the profile types the device runs, sorted.
func (r runtimes) types() []string {
	out := make([]string, 0, len(r.byType))
	for t := range r.byType {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// deploymentTypes returns the supportedDeploymentTypes to report: the
// spec's names for the types the device runs (helm.v3 reads as helm),
// limited to those the capabilities layout allows.
func (r runtimes) deploymentTypes(allowed []string) []string {
	var out []string
	for _, t := range r.types() {
		t = profile.Normal(t)
		if slices.Contains(allowed, t) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func (r runtimes) describe() string {
	if len(r.byType) == 0 {
		return "no workload provider is bound"
	}
	return strings.Join(r.types(), ", ")
}

// checkWorkloadBindings refuses two bound providers that claim the same
// profile type, and a provider that claims none: either would make the
// choice of runtime depend on config order.
func checkWorkloadBindings(bound []module.Bound) error {
	owner := map[string]string{}
	for _, b := range bound {
		p := b.Module.(workload.Provider)
		if len(p.Types()) == 0 {
			return &module.RoleError{Role: RoleWorkload, Reason: fmt.Sprintf("provider %q runs no deployment profile type", b.Name)}
		}
		for _, t := range p.Types() {
			if other, dup := owner[t]; dup {
				return &module.RoleError{Role: RoleWorkload, Reason: fmt.Sprintf(
					"providers %q and %q both run deployment profile type %s: bind only one of them (or configure one not to claim it)", other, b.Name, t)}
			}
			owner[t] = b.Name
		}
	}
	return nil
}
