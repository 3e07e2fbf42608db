package fleet

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"sort"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// labelKey is the shape of a label key: Kubernetes-style, an optional DNS
// prefix and "/", then a name of letters, digits, '-', '_' and '.'.
var labelKey = regexp.MustCompile(`^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)

// MaxLabels bounds the operator labels of one device.
const MaxLabels = 64

// ValidateLabelPatch checks a label merge patch: keys of the label key
// shape, values nil (remove) or a label value. Violations are at
// "labels.<key>".
func ValidateLabelPatch(patch map[string]any) []fault.Violation {
	var vs []fault.Violation
	keys := make([]string, 0, len(patch))
	for k := range patch {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field := "labels." + k
		if !labelKey.MatchString(k) {
			vs = append(vs, fault.Violation{Field: field, Message: "must be a label key: an optional DNS prefix and '/', then 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"})
			continue
		}
		if v := patch[k]; v != nil && !LabelValue(v) {
			vs = append(vs, fault.Violation{Field: field, Message: fmt.Sprintf("must be a string, number, boolean, or a list of strings or of numbers (got %T)", v)})
		}
	}
	return vs
}

// LabelValue reports whether v is a label value: a string, a number, a
// boolean, or a list of only strings or only numbers.
func LabelValue(v any) bool {
	switch t := v.(type) {
	case string, bool, float64, json.Number, int, int64:
		return true
	case []any:
		var strs, nums int
		for _, e := range t {
			switch e.(type) {
			case string:
				strs++
			case float64, json.Number, int, int64:
				nums++
			default:
				return false
			}
		}
		return strs == 0 || nums == 0
	}
	return false
}

// MergeLabels returns cur with patch applied (nil values remove); cur is
// not modified. An empty result is nil.
func MergeLabels(cur, patch map[string]any) map[string]any {
	out := maps.Clone(cur)
	for k, v := range patch {
		if v == nil {
			delete(out, k)
			continue
		}
		if out == nil {
			out = map[string]any{}
		}
		out[k] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// EffectiveLabels returns the labels the device reports
// (capabilities.labels) overlaid with the operator's labels.
func (d Device) EffectiveLabels() map[string]any {
	var doc struct {
		Labels map[string]any `json:"labels"`
	}
	_ = json.Unmarshal(d.Capabilities, &doc) // a stored document always parses; a bad one just has no labels
	return MergeLabels(doc.Labels, d.Labels)
}
