package application

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// ValidateValues applies d's configuration to the parameter values a user
// supplies (name -> value, as decoded from JSON or YAML; Go ints and floats
// are accepted too). previous holds the values of the deployment being
// updated, nil on create. Violations are at "parameters.<name>".
//
// The effective value of a parameter is the supplied one, else its default
// (the description's value). For every setting, the effective value is
// checked against the setting's rule: a missing or empty value (null, "",
// []) is allowed only when the rule's allowEmpty is true ("is required"
// when nothing was given and there is no default); otherwise the value must
// have the rule's data type and satisfy every bound the rule sets. On
// update, an immutable setting's effective value must equal the previous
// one. Values naming no parameter are violations; parameters without a
// setting take any string, number, boolean or array of those.
func ValidateValues(d *Description, values, previous map[string]any) []fault.Violation {
	w := &walker{}
	root := path("parameters")
	for _, name := range sortedKeys(values) {
		if _, ok := d.Parameters[name]; !ok {
			w.add(root.key(name), "names no parameter of application %s", d.ID)
		} else if v := plain(values[name]); v != nil && !isValue(v) {
			w.add(root.key(name), "must be a string, number, boolean or an array of those, not %s", Kind(v))
		}
	}
	for _, s := range d.Configuration.Settings() {
		par, ok := d.Parameters[s.Parameter]
		rule, rok := d.Configuration.Rule(s.Schema)
		if !ok || !rok {
			continue // Parse rejects such descriptions
		}
		p := root.key(s.Parameter)
		v, given := values[s.Parameter]
		v = plain(v)
		if !given {
			v = par.Value
		}
		if previous != nil && s.Immutable {
			old, had := previous[s.Parameter]
			old = plain(old)
			if !had {
				old = par.Value
			}
			if !reflect.DeepEqual(old, v) {
				w.add(p, "is immutable: it cannot change from %s to %s", show(old), show(v))
				continue
			}
		}
		if empty(v) {
			switch {
			case rule.AllowEmpty:
			case !given && par.Value == nil:
				w.add(p, "is required (setting %q)", s.Name)
			default:
				w.add(p, "must not be empty (setting %q)", s.Name)
			}
			continue
		}
		w.apply(p, rule, v)
	}
	return w.vs
}

// apply checks a non-empty value against rule.
func (w *walker) apply(p path, r Rule, v any) {
	if len(r.Options) > 0 {
		w.selectRule(p, r, v)
		return
	}
	if msg := typeError(r.DataType, v); msg != "" {
		w.add(p, "%s", msg)
		return
	}
	switch r.DataType {
	case TypeString:
		s := v.(string)
		n := utf8.RuneCountInString(s)
		if r.MinLength != nil && n < *r.MinLength {
			w.add(p, "must be at least %d characters long (got %d)", *r.MinLength, n)
		}
		if r.MaxLength != nil && n > *r.MaxLength {
			w.add(p, "must be at most %d characters long (got %d)", *r.MaxLength, n)
		}
		if r.RegexMatch != "" {
			if re, err := regexp.Compile(r.RegexMatch); err == nil && !re.MatchString(s) {
				w.add(p, "must match %s", r.RegexMatch)
			}
		}
	case TypeInteger, TypeDouble:
		f, _ := toFloat(v)
		if r.MinValue != nil && f < *r.MinValue {
			w.add(p, "must be at least %s (got %s)", num(*r.MinValue), num(f))
		}
		if r.MaxValue != nil && f > *r.MaxValue {
			w.add(p, "must be at most %s (got %s)", num(*r.MaxValue), num(f))
		}
		prec := precision(f)
		if r.MinPrecision != nil && prec < *r.MinPrecision {
			w.add(p, "must have at least %d decimal places (got %d)", *r.MinPrecision, prec)
		}
		if r.MaxPrecision != nil && prec > *r.MaxPrecision {
			w.add(p, "must have at most %d decimal places (got %d)", *r.MaxPrecision, prec)
		}
	}
}

// selectRule checks a value against a select rule: one option, or with
// multiselect (or dataType array) an array of distinct options.
func (w *walker) selectRule(p path, r Rule, v any) {
	if !r.Multiselect && r.DataType != TypeArray {
		if !slices.ContainsFunc(r.Options, func(o any) bool { return reflect.DeepEqual(o, v) }) {
			w.add(p, "must be one of %s (got %s)", show(r.Options), show(v))
		}
		return
	}
	list, ok := v.([]any)
	if !ok {
		w.add(p, "must be an array of options, not %s", Kind(v))
		return
	}
	if !r.Multiselect && len(list) > 1 {
		w.add(p, "must select at most one option (multiselect is false)")
	}
	for i, e := range list {
		if !slices.ContainsFunc(r.Options, func(o any) bool { return reflect.DeepEqual(o, e) }) {
			w.add(p.index(i), "must be one of %s (got %s)", show(r.Options), show(e))
		}
		if slices.ContainsFunc(list[:i], func(o any) bool { return reflect.DeepEqual(o, e) }) {
			w.add(p.index(i), "selects %s twice", show(e))
		}
	}
}

// typeError returns why v does not have data type t ("" when it does).
func typeError(t string, v any) string {
	ok := false
	switch t {
	case TypeString:
		_, ok = v.(string)
	case TypeBoolean:
		_, ok = v.(bool)
	case TypeInteger:
		f, isNum := toFloat(v)
		ok = isNum && f == math.Trunc(f)
	case TypeDouble:
		_, ok = toFloat(v)
	case TypeArray:
		_, ok = v.([]any)
	default:
		return ""
	}
	if ok {
		return ""
	}
	return fmt.Sprintf("must be of type %s, not %s", t, Kind(v))
}

// plain normalises a decoded value: json.Number and Go numbers become
// int64 when integral, float64 otherwise; arrays are normalised deeply.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return plain(float64(x))
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

func toFloat(v any) (float64, bool) {
	switch x := plain(v).(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func isScalar(v any) bool {
	switch plain(v).(type) {
	case string, bool, int64, float64:
		return true
	}
	return false
}

// isValue reports whether v is a parameter value: a scalar or an array of scalars.
func isValue(v any) bool {
	if a, ok := plain(v).([]any); ok {
		return !slices.ContainsFunc(a, func(e any) bool { return !isScalar(e) })
	}
	return isScalar(v)
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}

// precision counts the decimal places of f as written shortest.
func precision(f float64) int {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil || len(b) > 80 {
		return fmt.Sprintf("%.80v", v)
	}
	return string(b)
}
