package onboarding

import (
	"context"
	"fmt"

	"github.com/cadenza-edge/cadenza/managers/authority"
)

// exportCA writes the CA certificate (public, PEM) to cfg.CAFile when set, so
// devices, operators' tools and the sandbox's curl commands can trust the
// WFM without downloading the CA over an unverified connection.
func (m *Manager) exportCA(ctx context.Context) error {
	if m.cfg.CAFile == "" {
		return nil
	}
	wrote, err := authority.Export(m.cfg.CAFile, m.ca.Cert)
	if err != nil {
		return fmt.Errorf("onboarding: caFile: %w; choose a writable path", err)
	}
	if wrote {
		m.log.InfoContext(ctx, "CA certificate written", "path", m.cfg.CAFile)
	}
	return nil
}
