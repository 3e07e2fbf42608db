package eligibility

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/application"
)

// checkRule evaluates eligibility rule i: its property selector and its
// label selector must both match. A failing rule's message names the first
// failing expression.
func checkRule(i int, r application.EligibilityRule, d *Device) Reason {
	res := Reason{Check: "eligibilityRules[" + strconv.Itoa(i) + "]"}
	if r.PropertySelector == nil && r.LabelSelector == nil {
		res.Message = "the rule has no propertySelector and no labelSelector"
		return res
	}
	var matched []string
	if s := r.PropertySelector; s != nil {
		ok, why := matchSelector(s, func(key string) (any, bool) { return resolve(d.Properties, key) })
		if !ok { // MatchProperties without the reason
			res.Message = "propertySelector: " + why
			return res
		}
		matched = append(matched, "propertySelector "+showSelector(s))
	}
	if s := r.LabelSelector; s != nil {
		ok, why := matchSelector(s, func(key string) (any, bool) { v, ok := d.Labels[key]; return v, ok })
		if !ok {
			res.Message = "labelSelector: " + why
			return res
		}
		matched = append(matched, "labelSelector "+showSelector(s))
	}
	res.OK = true
	res.Message = "device matches " + strings.Join(matched, " and ")
	return res
}

// matchSelector reports whether every expression of s holds, get looking
// up the value of a key. why names the first failing expression and what
// the device has: `/peripherals ContainsAll: no element matches ...`.
func matchSelector(s *application.Selector, get func(key string) (any, bool)) (ok bool, why string) {
	for _, x := range s.MatchExpressions {
		v, present := get(x.Key)
		if ok, why := eval(x, v, present); !ok {
			key := x.Key
			if key == "" {
				key = `""`
			}
			return false, key + " " + x.Operator + ": " + why
		}
	}
	return true, ""
}

// MatchProperties reports whether d's capability properties satisfy every
// expression of s (property selector semantics: keys are RFC 6901 pointers
// into the properties), as a deployment target's capabilities selector
// picks devices.
func MatchProperties(s *application.Selector, d *Device) bool {
	ok, _ := matchSelector(s, func(key string) (any, bool) { return resolve(d.Properties, key) })
	return ok
}

// LabelSelector picks devices by label, as a deployment target does:
// every matchLabels entry and every matchExpressions expression (label
// selector semantics: keys are exact label keys) must hold.
type LabelSelector struct {
	MatchLabels      map[string]any           `json:"matchLabels,omitempty"`
	MatchExpressions []application.Expression `json:"matchExpressions,omitempty"`
}

// selectorField is the path of a LabelSelector in violations.
const selectorField = "target.selector"

// Empty reports whether s has no criteria. An empty selector matches every
// device; callers decide whether that is what they want.
func (s LabelSelector) Empty() bool {
	return len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0
}

// Validate checks s: matchLabels keys are not empty and their values are
// strings, numbers or booleans; matchExpressions follow the rules of a
// label selector in an application description. Fields start
// "target.selector".
func (s LabelSelector) Validate() []fault.Violation {
	var vs []fault.Violation
	keys := make([]string, 0, len(s.MatchLabels))
	for k := range s.MatchLabels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f := fieldKey(selectorField+".matchLabels", k)
		switch v := s.MatchLabels[k]; {
		case strings.TrimSpace(k) == "":
			vs = append(vs, fault.Violation{Field: f, Message: "a label key must not be empty"})
		case !isScalar(v):
			vs = append(vs, fault.Violation{Field: f, Message: fmt.Sprintf("must be a string, a number or a boolean, not %s (use matchExpressions with In for several values)", application.Kind(v))})
		}
	}
	sel := application.Selector{MatchExpressions: s.MatchExpressions}
	return append(vs, sel.Validate(selectorField, false)...)
}

// Matches reports whether labels satisfy s. A matchLabels entry holds when
// the label equals the value (numbers numerically, other scalars by string
// form) or, for a list label, when one element does.
func (s LabelSelector) Matches(labels map[string]any) bool {
	for k, want := range s.MatchLabels {
		v, ok := labels[k]
		if !ok || v == nil || !in(v, []any{want}) {
			return false
		}
	}
	ok, _ := matchSelector(&application.Selector{MatchExpressions: s.MatchExpressions}, func(key string) (any, bool) {
		v, ok := labels[key]
		return v, ok
	})
	return ok
}

// isScalar reports whether v is a string, a number or a bool.
func isScalar(v any) bool {
	if _, ok := text(v); ok {
		return true
	}
	_, ok := number(v)
	return ok
}

// fieldKey extends a violation path by a member name, quoting names that
// are not plain identifiers: target.selector.matchLabels["margo.org/site"].
func fieldKey(prefix, name string) string {
	plain := name != ""
	for i, r := range name {
		plain = plain && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || i > 0 && (r >= '0' && r <= '9' || r == '-'))
	}
	if plain {
		return prefix + "." + name
	}
	return prefix + "[" + strconv.Quote(name) + "]"
}
