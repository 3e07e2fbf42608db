package sync

import (
	"context"
	"errors"
	"fmt"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/margo/client"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// keyID is the Margo key id of the device certificate.
func keyID(id *identity) string { return signature.KeyID(id.cert) }

// ensureClient makes the signed WFM client once: it trusts the WFM's CA
// (see loadTrust) and onboards unless a clientId is already stored. The
// clientId is persisted at once, so the device never onboards twice; a
// stored clientId that belongs to another key or another WFM blocks the
// agent until an operator sorts it out, rather than silently becoming a
// second device.
func (m *Manager) ensureClient(ctx context.Context) error {
	if m.client != nil {
		return nil
	}
	var rec identityRecord
	_, found, err := getJSON(ctx, m.store, keyIdentity, &rec)
	if err != nil {
		return err
	}
	if found {
		if rec.KeyID != keyID(m.id) {
			return m.block(fmt.Errorf("this agent onboarded as client %s with key %s, but its key is now %s: restore the original key files, or clear the agent state to onboard as a new device", rec.ClientID, rec.KeyID, keyID(m.id)))
		}
		if rec.WFM != m.cfg.WFM.URL {
			return m.block(fmt.Errorf("this agent onboarded as client %s with the WFM at %s, not %s: set wfm.url back, or clear the agent state to onboard with the new WFM", rec.ClientID, rec.WFM, m.cfg.WFM.URL))
		}
	}
	pool, pinned, err := loadTrust(ctx, m.cfg.WFM.URL, m.cfg.WFM.CAFile, m.cfg.WFM.TrustOnFirstUse, m.id)
	if errors.Is(err, errNoTrust) || fault.Is(err, fault.Forbidden) {
		return m.block(err)
	}
	if err != nil {
		return err
	}
	if pinned != nil {
		m.log.Warn("security: trusted the WFM's CA on first use and pinned it; compare its fingerprint with the WFM's out of band",
			"caFile", m.cfg.WFM.CAFile, "subject", pinned.Subject.String(), "sha256", fingerprint(pinned))
	}
	c, err := client.New(client.Options{BaseURL: m.cfg.WFM.URL, Key: m.id.key, Certificate: m.id.cert, Roots: pool, Timeout: m.cfg.WFM.RequestTimeout.D()})
	if err != nil {
		return m.block(err)
	}
	if found {
		c.SetClientID(rec.ClientID)
		m.setClient(c)
		return nil
	}
	clientID, err := c.Onboard(ctx)
	if err != nil {
		var ce *client.Error
		if errors.As(err, &ce) && (ce.Status == 400 || ce.Status == 403) {
			m.setBlocked(fmt.Sprintf("the WFM refused onboarding (%d): ask its operator to allow key id %s; retrying", ce.Status, keyID(m.id)))
		}
		return fault.Wrap(err, fault.Unavailable, "onboarding")
	}
	rec = identityRecord{ClientID: clientID, KeyID: keyID(m.id), WFM: m.cfg.WFM.URL, OnboardedAt: m.now().UTC()}
	op, err := putOp(keyIdentity, rec)
	if err != nil {
		return err
	}
	wctx, cancel := durable(ctx)
	defer cancel()
	if _, err := m.store.Put(wctx, keyIdentity, op.Value, state.IfAbsent()); err != nil {
		return fault.Wrap(err, fault.Internal, "persist the clientId %s", clientID)
	}
	m.log.Info("onboarded with the WFM", "clientId", clientID, "keyId", rec.KeyID, "wfm", m.cfg.WFM.URL)
	m.setClient(c)
	return nil
}

// setClient installs the client and clears any blocked state.
func (m *Manager) setClient(c *client.Client) {
	m.client = c
	m.mu.Lock()
	m.rt.ClientID = c.ClientID()
	m.rt.Blocked = ""
	m.mu.Unlock()
}

// block records a condition only an operator can fix (see Health) and
// returns it as an error.
func (m *Manager) block(err error) error {
	m.setBlocked(err.Error())
	return err
}

func (m *Manager) setBlocked(msg string) {
	m.mu.Lock()
	m.rt.Blocked = msg
	m.mu.Unlock()
}
