package onboarding

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/google/uuid"
)

// State key prefixes of client records and of the keyid index.
const (
	clientPrefix = "onboarding/client/"
	keyIDPrefix  = "onboarding/keyid/"
)

// Client returns a client with its parsed Certificate. The record is read
// from the store on every call (a revocation by another host counts at
// once); only the certificate parsing is cached. A client whose key the
// policy now refuses reads as rejected. Unknown and malformed ids give
// fault.NotFound of type invalid-client, malformed ones without a store read.
func (m *Manager) Client(ctx context.Context, clientID string) (fleet.Client, error) {
	c, _, err := m.load(ctx, clientID)
	if err != nil {
		return fleet.Client{}, err
	}
	return m.policy.effective(c), nil
}

// Clients lists clients in id order, page.Limit at a time (the store's
// default and maximum apply). The returned cursor is the last listed client
// id, "" after the last page; pass it as page.After for the next page.
func (m *Manager) Clients(ctx context.Context, page fleet.Page) ([]fleet.Client, string, error) {
	after := page.After
	if after != "" && !strings.HasPrefix(after, clientPrefix) {
		after = clientPrefix + after
	}
	p, err := m.store.List(ctx, clientPrefix, state.ListOptions{After: after, Limit: page.Limit})
	if err != nil {
		return nil, "", fmt.Errorf("onboarding: listing clients: %w", err)
	}
	out := make([]fleet.Client, 0, len(p.Entries))
	for _, e := range p.Entries {
		c, err := m.decode(e)
		if err != nil {
			return nil, "", err
		}
		out = append(out, m.policy.effective(c))
	}
	return out, strings.TrimPrefix(p.Next, clientPrefix), nil
}

// load reads a client record and its version.
func (m *Manager) load(ctx context.Context, clientID string) (fleet.Client, uint64, error) {
	if !validClientID(clientID) {
		return fleet.Client{}, 0, unknownClient(clientID)
	}
	e, err := m.store.Get(ctx, clientPrefix+clientID)
	switch {
	case fault.Is(err, fault.NotFound):
		return fleet.Client{}, 0, unknownClient(clientID)
	case err != nil:
		return fleet.Client{}, 0, fmt.Errorf("onboarding: reading client %s: %w", clientID, err)
	}
	c, err := m.decode(e)
	return c, e.Version, err
}

// decode parses a client record and attaches its parsed certificate.
func (m *Manager) decode(e state.Entry) (fleet.Client, error) {
	var c fleet.Client
	if err := json.Unmarshal(e.Value, &c); err != nil {
		return fleet.Client{}, fault.Wrap(err, fault.Internal, "onboarding: client record %q is corrupt", e.Key)
	}
	cert, err := m.certs.parsed(c.KeyID, c.CertificatePEM)
	if err != nil {
		return fleet.Client{}, fault.Wrap(err, fault.Internal, "onboarding: client record %q holds an unusable certificate", e.Key)
	}
	c.Certificate = cert
	return c, nil
}

// validClientID reports whether id is a client id: a UUID in canonical
// form (lowercase, hyphenated), the form P1 onboarding hands out, or an rc.3
// client id an operator chose (1 to 64 letters, digits, - . _; not . or ..,
// a SPIFFE ID path segment).
func validClientID(id string) bool {
	if len(id) == 36 {
		if u, err := uuid.Parse(id); err == nil && u.String() == id {
			return true
		}
	}
	return validEnrolledID(id)
}

// validEnrolledID reports whether id can be an rc.3 client id.
func validEnrolledID(id string) bool {
	if id == "" || len(id) > 64 || id == "." || id == ".." {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// unknownClient is the 404 for a client id the WFM does not know.
func unknownClient(id string) error {
	if len(id) > 64 {
		id = id[:64] + "…"
	}
	return (&fault.Error{Code: fault.NotFound, Detail: fmt.Sprintf("no client %q is onboarded", id)}).WithType(document.ProblemInvalidClient)
}
