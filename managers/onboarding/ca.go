package onboarding

import (
	"context"
	"fmt"

	"github.com/cadenza-edge/cadenza/managers/authority"
)

// caKey is the state key of a generated CA.
const caKey = "onboarding/ca"

// loadCA returns the configured CA, or the one in the state store,
// generating and storing it on the first start.
func (m *Manager) loadCA(ctx context.Context) (*authority.Authority, error) {
	ca, err := authority.Load(ctx, authority.Source{What: "onboarding CA", Files: m.cfg.CA, Store: m.store, StateKey: caKey,
		Spec: authority.Spec{CommonName: m.caCommonName(), Validity: m.cfg.CAValidity.D()}, Log: m.log}, m.now())
	if err != nil {
		return nil, fmt.Errorf("onboarding: %w", err)
	}
	return ca, nil
}

// caCommonName is the generated CA's subject CN.
func (m *Manager) caCommonName() string {
	return fmt.Sprintf("Cadenza WFM root CA (%s)", m.hostName)
}
