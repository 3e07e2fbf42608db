package signature

import (
	"fmt"
	"strings"
)

// sigParams is one parsed Signature-Input member: the covered components and
// the signature parameters, plus the serialized "@signature-params" value.
type sigParams struct {
	label      string
	components []string
	created    int64
	hasCreated bool
	expires    int64
	hasExpires bool
	keyID      string
	alg        string
	// serialized is the canonical inner-list serialization that ends the
	// signature base.
	serialized string
}

// parseSigParams validates a Signature-Input member: an inner list of at most
// MaxComponents distinct, parameterless component names, with well-typed
// created, expires, keyid, alg, nonce and tag parameters. Unknown parameters
// are kept (they are part of the signed "@signature-params" value).
func parseSigParams(m member) (*sigParams, error) {
	if !m.inner {
		return nil, fmt.Errorf("member %q is not an inner list", m.key)
	}
	if len(m.list) > MaxComponents {
		return nil, fmt.Errorf("member %q covers %d components, more than %d", m.key, len(m.list), MaxComponents)
	}
	sp := &sigParams{label: m.key, components: make([]string, 0, len(m.list))}
	seen := make(map[string]bool, len(m.list))
	for _, it := range m.list {
		if it.value.kind != kindString {
			return nil, fmt.Errorf("member %q: component identifiers must be strings", m.key)
		}
		name := it.value.str
		if len(it.params) > 0 {
			return nil, fmt.Errorf("component %q: component parameters are not supported", name)
		}
		if !validComponentName(name) {
			return nil, fmt.Errorf("invalid component identifier %q", name)
		}
		if seen[name] {
			return nil, fmt.Errorf("component %q is listed twice", name)
		}
		seen[name] = true
		sp.components = append(sp.components, name)
	}
	for _, p := range m.params {
		if err := sp.setParam(p); err != nil {
			return nil, fmt.Errorf("member %q: %w", m.key, err)
		}
	}
	b, err := appendInnerList(nil, m.list, m.params)
	if err != nil {
		return nil, fmt.Errorf("member %q: %w", m.key, err)
	}
	sp.serialized = string(b)
	return sp, nil
}

// setParam records one signature parameter, checking its type.
func (sp *sigParams) setParam(p param) error {
	switch p.key {
	case "created", "expires":
		if p.value.kind != kindInteger || p.value.num < 0 {
			return fmt.Errorf("parameter %s must be a non-negative integer", p.key)
		}
		if p.key == "created" {
			sp.created, sp.hasCreated = p.value.num, true
		} else {
			sp.expires, sp.hasExpires = p.value.num, true
		}
	case "keyid", "alg", "nonce", "tag":
		if p.value.kind != kindString {
			return fmt.Errorf("parameter %s must be a string", p.key)
		}
		if p.key == "keyid" {
			sp.keyID = p.value.str
		} else if p.key == "alg" {
			sp.alg = p.value.str
		}
	}
	return nil
}

// validComponentName accepts a derived component name ("@" + lower-case
// letters and "-") or a lower-case HTTP field name (a token).
func validComponentName(name string) bool {
	if name == "" || name == "@" {
		return false
	}
	if name[0] == '@' {
		for i := 1; i < len(name); i++ {
			if c := name[i]; !isLCAlpha(c) && c != '-' {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isTChar(c) || (c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// buildSigParams builds the Signature-Input member a Signer emits.
func buildSigParams(label string, components []string, created int64, keyID, alg string) (member, error) {
	m := member{key: label, inner: true}
	for _, c := range components {
		m.list = append(m.list, item{value: bareItem{kind: kindString, str: c}})
	}
	m.params = append(m.params, param{key: "created", value: bareItem{kind: kindInteger, num: created}})
	if keyID != "" {
		m.params = append(m.params, param{key: "keyid", value: bareItem{kind: kindString, str: keyID}})
	}
	if alg != "" {
		m.params = append(m.params, param{key: "alg", value: bareItem{kind: kindString, str: alg}})
	}
	if !validLabel(label) {
		return m, fmt.Errorf("invalid signature label %q", label)
	}
	return m, nil
}

// validLabel reports whether label is a valid dictionary key.
func validLabel(label string) bool {
	p := &sfvParser{s: label}
	k, err := p.parseKey()
	return err == nil && k == label
}

// missing returns the required components that sp does not cover.
func (sp *sigParams) missing(required []string) []string {
	var out []string
	for _, r := range required {
		found := false
		for _, c := range sp.components {
			if c == strings.ToLower(r) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, r)
		}
	}
	return out
}
