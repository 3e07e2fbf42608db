package onboarding

import (
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// policy is the decoded Policy: key id sets in lowercase.
type policy struct {
	mode  string
	allow map[string]struct{}
	deny  map[string]struct{}
}

func newPolicy(p Policy) policy {
	out := policy{mode: p.Mode, allow: map[string]struct{}{}, deny: map[string]struct{}{}}
	if out.mode == "" {
		out.mode = ModeAuto
	}
	for _, k := range p.Allow {
		out.allow[strings.ToLower(k)] = struct{}{}
	}
	for _, k := range p.Deny {
		out.deny[strings.ToLower(k)] = struct{}{}
	}
	return out
}

// refusal returns why the policy refuses keyID, or "" when it accepts it.
// Deny always wins; in mode allowlist only allowed key ids pass.
func (p policy) refusal(keyID string) string {
	if _, ok := p.deny[keyID]; ok {
		return "the certificate's key is on the WFM's deny list"
	}
	if p.mode == ModeAllowlist {
		if _, ok := p.allow[keyID]; !ok {
			return "the certificate's key is not on the WFM's allow list"
		}
	}
	return ""
}

// check returns a Forbidden error when the policy refuses keyID.
func (p policy) check(keyID string) error {
	if reason := p.refusal(keyID); reason != "" {
		return (&fault.Error{Code: fault.Forbidden, Detail: reason + " (keyid " + keyID + ")"}).WithType(document.ProblemCertificateNotTrusted)
	}
	return nil
}

// initialState is the state of a newly onboarded, accepted client.
func (p policy) initialState(keyID string) fleet.ClientState {
	if p.mode != ModeManual {
		return fleet.ClientApproved
	}
	if _, ok := p.allow[keyID]; ok {
		return fleet.ClientApproved
	}
	return fleet.ClientPending
}

// effective overlays the policy on a stored client: a client whose key the
// policy now refuses reads as rejected (without changing the record), so
// adding a key id to deny cuts its device off on its next request.
func (p policy) effective(c fleet.Client) fleet.Client {
	if c.State != fleet.ClientRejected && p.refusal(c.KeyID) != "" {
		c.State = fleet.ClientRejected
	}
	return c
}
