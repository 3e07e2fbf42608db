package memory

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/coa/state/statetest"
)

func TestConformance(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Store { return New() })
}

func TestRegistered(t *testing.T) {
	r, err := module.Lookup("state.memory")
	if err != nil {
		t.Fatal(err)
	}
	m := r.New()
	if _, ok := m.(state.Store); !ok {
		t.Fatalf("state.memory builds a %T, not a state.Store", m)
	}
	if _, ok := m.(module.Configurable); !ok {
		t.Fatalf("state.memory is not Configurable: the host could not reject config keys")
	}
}
