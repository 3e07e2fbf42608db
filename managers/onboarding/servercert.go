package onboarding

import (
	"context"
	"fmt"
)

// ensureServerCert makes sure the configured server certificate files hold
// a current key pair issued by the CA (see authority.EnsureServer).
func (m *Manager) ensureServerCert(ctx context.Context) error {
	sc := m.cfg.ServerCertificate
	if sc == nil {
		return nil
	}
	reason, cert, err := m.ca.EnsureServer(sc, m.now())
	if err != nil {
		return fmt.Errorf("onboarding: %w", err)
	}
	if reason == "" {
		m.log.DebugContext(ctx, "server certificate kept", "cert", sc.Cert)
		return nil
	}
	m.log.InfoContext(ctx, "server certificate issued", "reason", reason, "cert", sc.Cert, "key", sc.Key,
		"hosts", sc.Hosts, "notAfter", cert.NotAfter)
	return nil
}
