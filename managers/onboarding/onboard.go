package onboarding

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/signature"
	"github.com/google/uuid"
)

// maxAttempts bounds the retries of a read-then-conditional-write that keeps
// losing to concurrent writers.
const maxAttempts = 10

// Onboard registers cert as a client, or returns the client already
// onboarded with the same public key (same keyid) as it stands, whatever its
// state and even when cert is another certificate for that key (nothing is
// updated). Errors: fault.BadRequest of type invalid-certificate-format for
// an unusable certificate, fault.Forbidden of type certificate-not-trusted
// when the policy refuses its key.
func (m *Manager) Onboard(ctx context.Context, cert *x509.Certificate) (fleet.Client, error) {
	warnings, err := checkCertificate(cert, m.now(), m.cfg.MinRSABits, m.cfg.Policy.RequireEndEntity)
	if err != nil {
		return fleet.Client{}, err
	}
	keyID := signature.KeyID(cert)
	if err := m.policy.check(keyID); err != nil {
		m.log.InfoContext(ctx, "onboarding refused by policy", "keyId", keyID, "subject", cert.Subject.String(), "mode", m.policy.mode)
		return fleet.Client{}, err
	}
	for range maxAttempts {
		c, found, err := m.byKeyID(ctx, keyID)
		if err != nil {
			return fleet.Client{}, err
		}
		if found {
			return m.policy.effective(c), nil
		}
		c, err = m.create(ctx, cert, keyID, warnings)
		switch {
		case err == nil:
			m.log.InfoContext(ctx, "client onboarded", "clientId", c.ID, "keyId", keyID, "subject", c.Subject, "state", c.State)
			for _, w := range warnings {
				m.log.WarnContext(ctx, "client certificate accepted with a warning (set policy.requireEndEntity to refuse such certificates)", "clientId", c.ID, "warning", w)
			}
			return c, nil
		case !fault.Is(err, fault.Conflict):
			return fleet.Client{}, err
		}
		// Another onboarding of the same key won the race: read its client.
	}
	return fleet.Client{}, fault.New(fault.Unavailable, "onboarding: the client of keyid %s keeps changing; retry", keyID)
}

// byKeyID returns the client onboarded with keyID, found false when none is.
func (m *Manager) byKeyID(ctx context.Context, keyID string) (fleet.Client, bool, error) {
	e, err := m.store.Get(ctx, keyIDPrefix+keyID)
	switch {
	case fault.Is(err, fault.NotFound):
		return fleet.Client{}, false, nil
	case err != nil:
		return fleet.Client{}, false, fmt.Errorf("onboarding: reading the keyid index: %w", err)
	}
	id := string(e.Value)
	c, _, err := m.load(ctx, id)
	if fault.Is(err, fault.NotFound) {
		return fleet.Client{}, false, fault.New(fault.Internal, "onboarding: keyid %s names client %q, which has no record", keyID, id)
	}
	return c, err == nil, err
}

// create writes a new client record and its keyid index entry in one batch
// that fails with Conflict when either exists already.
func (m *Manager) create(ctx context.Context, cert *x509.Certificate, keyID string, warnings []string) (fleet.Client, error) {
	id, err := uuid.NewRandom()
	if err != nil {
		return fleet.Client{}, fmt.Errorf("onboarding: generating a client id: %w", err)
	}
	now := m.now().UTC()
	c := fleet.Client{
		ID:             id.String(),
		KeyID:          keyID,
		Subject:        cert.Subject.String(),
		CertificatePEM: encodeClientPEM(cert),
		NotAfter:       cert.NotAfter.UTC(),
		State:          m.policy.initialState(keyID),
		Created:        now,
		Updated:        now,
		Warnings:       warnings,
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return fleet.Client{}, fmt.Errorf("onboarding: encoding client %s: %w", c.ID, err)
	}
	_, err = m.store.Batch(ctx, []state.Op{
		{Key: clientPrefix + c.ID, Value: raw, If: state.IfAbsent()},
		{Key: keyIDPrefix + keyID, Value: []byte(c.ID), If: state.IfAbsent()},
	})
	if err != nil {
		return fleet.Client{}, fmt.Errorf("onboarding: storing client %s: %w", c.ID, err)
	}
	// Parse the stored PEM (not the caller's value) into the cache, so the
	// returned certificate is the one Client will return.
	if c.Certificate, err = m.certs.parsed(keyID, c.CertificatePEM); err != nil {
		return fleet.Client{}, fault.Wrap(err, fault.Internal, "onboarding: client %s", c.ID)
	}
	return c, nil
}
