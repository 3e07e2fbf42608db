package signature

import (
	"fmt"
	"strings"

	"github.com/cadenza-edge/cadenza/margo/sfv"
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
func parseSigParams(m sfv.Member) (*sigParams, error) {
	if !m.IsList {
		return nil, fmt.Errorf("member %q is not an inner list", m.Key)
	}
	items := m.List.Items
	if len(items) > MaxComponents {
		return nil, fmt.Errorf("member %q covers %d components, more than %d", m.Key, len(items), MaxComponents)
	}
	sp := &sigParams{label: m.Key, components: make([]string, 0, len(items))}
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		if it.Value.Kind != sfv.KindString {
			return nil, fmt.Errorf("member %q: component identifiers must be strings", m.Key)
		}
		name := it.Value.Str
		if len(it.Params) > 0 {
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
	for _, p := range m.List.Params {
		if err := sp.setParam(p); err != nil {
			return nil, fmt.Errorf("member %q: %w", m.Key, err)
		}
	}
	serialized, err := sfv.SerializeInnerList(m.List)
	if err != nil {
		return nil, fmt.Errorf("member %q: %w", m.Key, err)
	}
	sp.serialized = serialized
	return sp, nil
}

// setParam records one signature parameter, checking its type.
func (sp *sigParams) setParam(p sfv.Param) error {
	switch p.Key {
	case "created", "expires":
		if p.Value.Kind != sfv.KindInteger || p.Value.Int < 0 {
			return fmt.Errorf("parameter %s must be a non-negative integer", p.Key)
		}
		if p.Key == "created" {
			sp.created, sp.hasCreated = p.Value.Int, true
		} else {
			sp.expires, sp.hasExpires = p.Value.Int, true
		}
	case "keyid", "alg", "nonce", "tag":
		if p.Value.Kind != sfv.KindString {
			return fmt.Errorf("parameter %s must be a string", p.Key)
		}
		if p.Key == "keyid" {
			sp.keyID = p.Value.Str
		} else if p.Key == "alg" {
			sp.alg = p.Value.Str
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
			if c := name[i]; (c < 'a' || c > 'z') && c != '-' {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !sfv.IsTChar(c) || (c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// buildSigParams builds the Signature-Input member a Signer emits.
func buildSigParams(label string, components []string, created int64, keyID, alg string) (sfv.Member, error) {
	m := sfv.Member{Key: label, IsList: true}
	for _, c := range components {
		m.List.Items = append(m.List.Items, sfv.Item{Value: sfv.BareItem{Kind: sfv.KindString, Str: c}})
	}
	m.List.Params = append(m.List.Params, sfv.Param{Key: "created", Value: sfv.BareItem{Kind: sfv.KindInteger, Int: created}})
	if keyID != "" {
		m.List.Params = append(m.List.Params, sfv.Param{Key: "keyid", Value: sfv.BareItem{Kind: sfv.KindString, Str: keyID}})
	}
	if alg != "" {
		m.List.Params = append(m.List.Params, sfv.Param{Key: "alg", Value: sfv.BareItem{Kind: sfv.KindString, Str: alg}})
	}
	if !sfv.IsKey(label) {
		return m, fmt.Errorf("invalid signature label %q", label)
	}
	return m, nil
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
