package fleet_test

import (
	"errors"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/fleet/fleettest"
)

// TestFind: the three managers are found in any order; for a missing one,
// Find returns the error missing makes of its interface and module.
func TestFind(t *testing.T) {
	var gotIface, gotType string
	missing := func(iface, typ string) error {
		gotIface, gotType = iface, typ
		return errors.New("missing " + iface)
	}
	ob, caps, deps := &fleettest.Onboarding{}, &fleettest.Capabilities{}, &fleettest.Deployments{}
	o, c, d, err := fleet.Find(&module.Env{Managers: []module.Module{deps, caps, ob}}, missing)
	if err != nil || o != ob || c != caps || d != deps {
		t.Fatalf("Find = %v %v %v %v", o, c, d, err)
	}
	for _, tt := range []struct {
		iface, typ string
		managers   []module.Module
	}{
		{"fleet.Onboarding", "managers.onboarding", []module.Module{caps, deps}},
		{"fleet.Capabilities", "managers.capabilities", []module.Module{ob, deps}},
		{"fleet.Deployments", "managers.deployment", []module.Module{ob, caps}},
		{"fleet.Onboarding", "managers.onboarding", nil},
	} {
		o, c, d, err := fleet.Find(&module.Env{Managers: tt.managers}, missing)
		if err == nil || err.Error() != "missing "+tt.iface || gotIface != tt.iface || gotType != tt.typ || o != nil || c != nil || d != nil {
			t.Errorf("without %s: %v (%s, %s)", tt.iface, err, gotIface, gotType)
		}
	}
}
