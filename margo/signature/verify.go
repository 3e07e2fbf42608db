package signature

import (
	"crypto"
	"slices"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/digest"
	"github.com/cadenza-edge/cadenza/margo/sfv"
)

// Defaults of a zero Verifier.
const (
	DefaultWindow = 5 * time.Minute
	DefaultSkew   = 30 * time.Second
)

// Verifier checks request signatures. The zero value is ready to use.
type Verifier struct {
	// Window is the maximum age of the created parameter; DefaultWindow
	// when zero or negative.
	Window time.Duration
	// Skew is how far in the future created may be; DefaultSkew when zero
	// or negative.
	Skew time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Required lists the components a signature must cover. When nil it is
	// "@method", "@target-uri", "@authority" and, for a non-empty body,
	// "content-digest".
	Required []string
	// Label, when set, is the only signature label considered. Otherwise
	// the first Signature-Input member that covers Required is verified.
	Label string
	// KeyID, when set, must equal the keyid parameter.
	KeyID string
}

// Result describes a verified signature.
type Result struct {
	Label   string
	KeyID   string // the keyid parameter ("" when absent)
	Alg     string // the algorithm that verified
	Created time.Time
	Covered []string // covered components, in signed order
}

// Verify checks the signature of m given the Signature-Input and Signature
// field values and the signer's public key (*ecdsa.PublicKey or
// *rsa.PublicKey). The checks run in this order: both fields present,
// bounded and well-formed; the selected signature covers the required
// components; created is within [now-Window, now+Skew] (and expires, when
// present, has not passed); a covered Content-Digest matches the body; the
// signature verifies. Failures are *fault.Error with code Unauthorized and
// type document.ProblemSignatureVerificationFailed, except Content-Digest
// failures, which are the digest package's BadRequest errors.
func (v *Verifier) Verify(m *Message, sigInput, sig string, pub crypto.PublicKey) (*Result, error) {
	if v == nil {
		v = &Verifier{}
	}
	if m == nil {
		return nil, reject("no request to verify")
	}
	if pub == nil {
		return nil, fault.New(fault.Internal, "signature: no public key to verify with")
	}
	sigInput, sig = trimOWS(sigInput), trimOWS(sig)
	switch {
	case sigInput == "":
		return nil, reject("missing Signature-Input header")
	case sig == "":
		return nil, reject("missing Signature header")
	case len(sigInput) > MaxHeaderLen:
		return nil, reject("Signature-Input header is longer than %d bytes", MaxHeaderLen)
	case len(sig) > MaxHeaderLen:
		return nil, reject("Signature header is longer than %d bytes", MaxHeaderLen)
	}
	inputs, err := sfv.ParseDictionary(sigInput)
	if err != nil {
		return nil, reject("malformed Signature-Input header: %v", err)
	}
	sigs, err := sfv.ParseDictionary(sig)
	if err != nil {
		return nil, reject("malformed Signature header: %v", err)
	}
	sp, err := v.selectSignature(m, inputs)
	if err != nil {
		return nil, err
	}
	raw, err := signatureValue(sigs, sp.label)
	if err != nil {
		return nil, err
	}
	if err := v.checkTime(sp); err != nil {
		return nil, err
	}
	if v.KeyID != "" && sp.keyID != v.KeyID {
		return nil, reject("signature %q: keyid %q is not the client's key", sp.label, sp.keyID)
	}
	if slices.Contains(sp.components, ComponentContentDigest) {
		cd, _ := m.header(ComponentContentDigest)
		if err := digest.Verify(cd, m.Body); err != nil {
			return nil, err
		}
	}
	algs, err := candidateAlgs(pub, sp.alg)
	if err != nil {
		return nil, reject("signature %q: %v", sp.label, err)
	}
	base, err := signatureBase(m, sp.components, sp.serialized)
	if err != nil {
		return nil, reject("signature %q: cannot rebuild the signature base: %v", sp.label, err)
	}
	for _, a := range algs {
		if a.verify(pub, base, raw) {
			return &Result{
				Label:   sp.label,
				KeyID:   sp.keyID,
				Alg:     a.name,
				Created: time.Unix(sp.created, 0),
				Covered: append([]string(nil), sp.components...),
			}, nil
		}
	}
	return nil, reject("signature %q: bad signature (does not verify with the client key)", sp.label)
}

// required returns the components that must be covered for m.
func (v *Verifier) required(m *Message) []string {
	if v.Required != nil {
		out := make([]string, len(v.Required))
		for i, r := range v.Required {
			out[i] = strings.ToLower(r)
		}
		return out
	}
	req := []string{ComponentMethod, ComponentTargetURI, ComponentAuthority}
	if len(m.Body) > 0 {
		req = append(req, ComponentContentDigest)
	}
	return req
}

// selectSignature picks the Signature-Input member to verify: v.Label, or
// the first well-formed member that covers every required component.
func (v *Verifier) selectSignature(m *Message, inputs sfv.Dictionary) (*sigParams, error) {
	required := v.required(m)
	if v.Label != "" {
		mem, ok := inputs.Get(v.Label)
		if !ok {
			return nil, reject("Signature-Input has no signature labelled %q", v.Label)
		}
		sp, err := parseSigParams(mem)
		if err != nil {
			return nil, reject("malformed Signature-Input: %v", err)
		}
		if miss := sp.missing(required); len(miss) > 0 {
			return nil, notCovered(m, sp.label, miss)
		}
		return sp, nil
	}
	var firstErr error
	var firstLabel string
	var firstMissing []string
	for _, mem := range inputs {
		sp, err := parseSigParams(mem)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		miss := sp.missing(required)
		if len(miss) == 0 {
			return sp, nil
		}
		if firstMissing == nil {
			firstLabel, firstMissing = sp.label, miss
		}
	}
	if firstMissing != nil {
		return nil, notCovered(m, firstLabel, firstMissing)
	}
	if firstErr != nil {
		return nil, reject("malformed Signature-Input: %v", firstErr)
	}
	return nil, reject("malformed Signature-Input header: no signatures")
}

// notCovered reports required components a signature leaves out. A body
// whose Content-Digest is missing or wrong is reported as the digest error
// (400), which is what Margo prescribes for that case.
func notCovered(m *Message, label string, missing []string) error {
	if len(m.Body) > 0 && slices.Contains(missing, ComponentContentDigest) {
		cd, _ := m.header(ComponentContentDigest)
		if err := digest.Verify(cd, m.Body); err != nil {
			return err
		}
	}
	return reject("signature %q does not cover required component(s) %s", label, strings.Join(missing, ", "))
}

// signatureValue returns the decoded Signature member for label.
func signatureValue(sigs sfv.Dictionary, label string) ([]byte, error) {
	mem, ok := sigs.Get(label)
	if !ok {
		return nil, reject("Signature header has no value for label %q", label)
	}
	if mem.IsList || mem.Item.Value.Kind != sfv.KindBytes {
		return nil, reject("malformed Signature header: value for %q is not a byte sequence", label)
	}
	raw := mem.Item.Value.Bytes
	switch {
	case len(raw) == 0:
		return nil, reject("Signature header: value for %q is empty", label)
	case len(raw) > MaxSignatureLen:
		return nil, reject("Signature header: value for %q is longer than %d bytes", label, MaxSignatureLen)
	}
	return raw, nil
}

// checkTime enforces created (required) and expires (optional).
func (v *Verifier) checkTime(sp *sigParams) error {
	if !sp.hasCreated {
		return reject("signature %q has no created parameter", sp.label)
	}
	window, skew := v.Window, v.Skew
	if window <= 0 {
		window = DefaultWindow
	}
	if skew <= 0 {
		skew = DefaultSkew
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	created := time.Unix(sp.created, 0)
	if created.After(now.Add(skew)) {
		return reject("signature %q: created %d is in the future (more than %s ahead)", sp.label, sp.created, skew)
	}
	if created.Before(now.Add(-window)) {
		return reject("signature %q: created %d is too old (more than %s ago)", sp.label, sp.created, window)
	}
	if sp.hasExpires && now.After(time.Unix(sp.expires, 0)) {
		return reject("signature %q expired at %d", sp.label, sp.expires)
	}
	return nil
}
