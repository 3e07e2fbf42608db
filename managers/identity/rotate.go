package identity

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/managers/authority"
)

// previousKey keeps the CA a rotation replaced, until its overlap ends.
const previousKey = "identity/ca-previous"

// previousRecord is the state record of the previous CA.
type previousRecord struct {
	CA       json.RawMessage `json:"ca"` // the authority's own record (authority.Decode)
	RetireAt time.Time       `json:"retireAt"`
}

// current is the CA that issues SVIDs now.
func (m *Manager) current() *authority.Authority {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.ca
}

// authorities are the trust domain CAs clients' SVIDs may chain to: the
// current one and, during its overlap, the previous one.
func (m *Manager) authorities() []*x509.Certificate {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []*x509.Certificate{m.ca.Cert}
	if m.prev != nil && m.now().Before(m.prevRetire) {
		out = append(out, m.prev.Cert)
	}
	return out
}

// loadPrevious reads the previous CA (nil once its overlap is over).
func (m *Manager) loadPrevious(ctx context.Context) error {
	var rec previousRecord
	e, err := m.store.Get(ctx, previousKey)
	if fault.Is(err, fault.NotFound) {
		m.setPrevious(nil, time.Time{})
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: reading the previous CA: %w", ID, err)
	}
	if err := json.Unmarshal(e.Value, &rec); err != nil {
		return fmt.Errorf("%s: the previous CA under %q is corrupt: %w", ID, previousKey, err)
	}
	if !m.now().Before(rec.RetireAt) {
		m.setPrevious(nil, time.Time{})
		return nil
	}
	ca, err := authority.Decode(rec.CA)
	if err != nil {
		return fmt.Errorf("%s: the previous CA under %q: %w", ID, previousKey, err)
	}
	m.setPrevious(ca, rec.RetireAt)
	return nil
}

func (m *Manager) setPrevious(ca *authority.Authority, retire time.Time) {
	m.mu.Lock()
	m.prev, m.prevRetire = ca, retire
	m.mu.Unlock()
}

// Rotate implements fleet.Identity: a new trust domain CA issues SVIDs
// from now on; the previous one stays an anchor (the bundle publishes
// both, and clients' SVIDs from either are accepted) for overlap, at least
// one SVID lifetime so that every SVID it issued expires in the window.
// The bundle's sequence increases. A CA configured from files cannot be
// rotated here (fault.Conflict): replace the files.
func (m *Manager) Rotate(ctx context.Context, overlap time.Duration) (uint64, error) {
	if m.cfg.CA != nil {
		return 0, fault.New(fault.Conflict, "the trust domain CA comes from files (%s): rotate it by replacing them", m.cfg.CA.Cert)
	}
	if overlap < m.cfg.SVIDValidity.D() {
		overlap = m.cfg.SVIDValidity.D()
	}
	old, err := m.store.Get(ctx, caKey)
	if err != nil {
		return 0, fmt.Errorf("%s: reading the current CA: %w", ID, err)
	}
	now := m.now()
	next, raw, err := authority.Generate(m.source().Spec, now)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", ID, err)
	}
	prev, err := json.Marshal(previousRecord{CA: old.Value, RetireAt: now.Add(overlap).UTC()})
	if err != nil {
		return 0, err
	}
	if _, err := m.store.Batch(ctx, []state.Op{
		{Key: caKey, Value: raw, If: state.IfVersion(old.Version)},
		{Key: previousKey, Value: prev, If: state.Always()},
	}); err != nil {
		return 0, fmt.Errorf("%s: storing the rotated CA (another host may have rotated it: retry): %w", ID, err)
	}
	m.mu.Lock()
	m.ca = next
	m.mu.Unlock()
	if err := m.loadPrevious(ctx); err != nil {
		return 0, err
	}
	if err := m.ensureServerCert(ctx); err != nil {
		return 0, err
	}
	if err := m.publish(ctx); err != nil {
		return 0, err
	}
	b, _ := m.Bundle()
	m.log.InfoContext(ctx, "trust domain CA rotated", "subject", next.Cert.Subject.String(), "previousRetiresAt", now.Add(overlap).UTC(), "sequence", b.Sequence())
	return b.Sequence(), nil
}
