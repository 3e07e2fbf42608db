package onboarding

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"os"
)

// exportCA writes the CA certificate (public, PEM) to cfg.CAFile when set, so
// devices, operators' tools and the sandbox's curl commands can trust the
// WFM without downloading the CA over an unverified connection.
func (m *Manager) exportCA(ctx context.Context) error {
	path := m.cfg.CAFile
	if path == "" {
		return nil
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: m.ca.cert.Raw})
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := writeFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("onboarding: caFile: %w; choose a writable path", err)
	}
	m.log.InfoContext(ctx, "CA certificate written", "path", path)
	return nil
}
