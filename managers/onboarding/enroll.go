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
)

// Enroll implements fleet.Onboarding: the client record of an rc.3 client
// lives beside the P1 ones, so listing, approval, rejection and revocation
// work the same for both profiles.
func (m *Manager) Enroll(ctx context.Context, clientID string, svid *x509.Certificate) (fleet.Client, error) {
	if !validEnrolledID(clientID) {
		return fleet.Client{}, fault.New(fault.BadRequest, "client id %.80q: use 1 to 64 letters, digits, - . and _", clientID)
	}
	if svid == nil || len(svid.URIs) != 1 {
		return fleet.Client{}, fault.New(fault.BadRequest, "an X.509-SVID (one URI SAN) is required")
	}
	for range maxAttempts {
		cur, version, err := m.load(ctx, clientID)
		now := m.now().UTC()
		c, cond := cur, state.IfVersion(version)
		switch {
		case fault.Is(err, fault.NotFound):
			c, cond = fleet.Client{ID: clientID, State: fleet.ClientApproved, Created: now}, state.IfAbsent()
		case err != nil:
			return fleet.Client{}, err
		case cur.State != fleet.ClientApproved:
			return fleet.Client{}, fault.New(fault.Conflict, "client %s is %s: approve it before issuing it an SVID", clientID, cur.State)
		}
		c.KeyID, c.Subject, c.CertificatePEM = signature.KeyID(svid), svid.Subject.String(), encodeClientPEM(svid)
		c.NotAfter, c.SPIFFEID, c.Updated, c.Certificate = svid.NotAfter.UTC(), svid.URIs[0].String(), now, nil
		raw, err := json.Marshal(c)
		if err != nil {
			return fleet.Client{}, fmt.Errorf("onboarding: encoding client %s: %w", clientID, err)
		}
		_, err = m.store.Put(ctx, clientPrefix+clientID, raw, cond)
		switch {
		case err == nil:
			m.log.InfoContext(ctx, "rc.3 client enrolled", "clientId", clientID, "spiffeId", c.SPIFFEID, "notAfter", c.NotAfter, "state", c.State)
			c.Certificate = svid
			return c, nil
		case !fault.Is(err, fault.Conflict):
			return fleet.Client{}, fmt.Errorf("onboarding: storing client %s: %w", clientID, err)
		}
	}
	return fleet.Client{}, fault.New(fault.Unavailable, "onboarding: client %s keeps changing; retry", clientID)
}
