package eligibility

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cadenza-edge/cadenza/margo/application"
)

// eval reports whether expression x holds for v, the value its key selects
// (present is false when the key selects nothing). why says, when it does
// not hold, what the device has instead ("\"arm64\" is not in [\"amd64\"]").
func eval(x application.Expression, v any, present bool) (ok bool, why string) {
	if v == nil {
		present = false // JSON null reads as absent
	}
	switch x.Operator {
	case application.OpExists:
		return present, "absent"
	case application.OpDoesNotExist:
		return !present, "present: " + show(v)
	case application.OpIn:
		if !present {
			return false, "absent"
		}
		if in(v, x.Values) {
			return true, ""
		}
		return false, show(v) + " is not in " + showList(x.Values)
	case application.OpNotIn:
		if present && in(v, x.Values) {
			return false, show(v) + " is in " + showList(x.Values)
		}
		return true, ""
	case application.OpGt, application.OpLt:
		return compare(x, v, present)
	case application.OpContainsAll, application.OpContainsAny:
		return contains(x, v, present)
	}
	return false, fmt.Sprintf("unknown operator %q", x.Operator)
}

// in reports whether v, or when v is an array one of its elements, equals
// one of values.
func in(v any, values []any) bool {
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	for _, e := range list {
		for _, w := range values {
			if equal(e, w) {
				return true
			}
		}
	}
	return false
}

// compare evaluates Gt and Lt.
func compare(x application.Expression, v any, present bool) (bool, string) {
	if !present {
		return false, "absent"
	}
	have, ok := numeric(v)
	if !ok {
		return false, show(v) + " is not a number"
	}
	if len(x.Values) != 1 {
		return false, fmt.Sprintf("operator %s needs exactly one value", x.Operator)
	}
	want, ok := numeric(x.Values[0])
	if !ok {
		return false, fmt.Sprintf("operator %s value %s is not a number", x.Operator, show(x.Values[0]))
	}
	if x.Operator == application.OpGt {
		return have > want, fmt.Sprintf("%s is not greater than %s", show(v), num(want))
	}
	return have < want, fmt.Sprintf("%s is not less than %s", show(v), num(want))
}

// contains evaluates ContainsAll (one element satisfies every expression of
// the itemSelector) and ContainsAny (one element satisfies at least one).
func contains(x application.Expression, v any, present bool) (bool, string) {
	if !present {
		return false, "absent"
	}
	list, ok := v.([]any)
	if !ok {
		return false, show(v) + " is not an array"
	}
	if x.ItemSelector == nil {
		return false, fmt.Sprintf("operator %s needs an itemSelector", x.Operator)
	}
	all := x.Operator == application.OpContainsAll
	for _, e := range list {
		if matchElement(x.ItemSelector, e, all) {
			return true, ""
		}
	}
	switch {
	case len(list) == 0:
		return false, "the array is empty"
	case all:
		return false, "no element matches itemSelector " + showSelector(x.ItemSelector)
	}
	return false, "no element matches any expression of itemSelector " + showSelector(x.ItemSelector)
}

// matchElement reports whether element e satisfies all (or, when all is
// false, at least one) of s's expressions, whose keys point into e.
func matchElement(s *application.Selector, e any, all bool) bool {
	for _, x := range s.MatchExpressions {
		v, present := resolve(e, x.Key)
		ok, _ := eval(x, v, present)
		if ok != all {
			return ok
		}
	}
	return all
}

// resolve returns the value RFC 6901 pointer ptr selects in doc. A small
// resolver rather than github.com/go-openapi/jsonpointer: that module is
// only an indirect requirement of go.mod, walks values by reflection and
// struct tags, and this needs nothing but map[string]any and []any.
func resolve(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if ptr[0] != '/' {
		return nil, false
	}
	cur, rest := doc, ptr[1:]
	for {
		tok, next, more := strings.Cut(rest, "/")
		if strings.IndexByte(tok, '~') >= 0 {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		}
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, ok := arrayIndex(tok, len(c))
			if !ok {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
		if !more {
			return cur, true
		}
		rest = next
	}
}

// arrayIndex reads an RFC 6901 array index: decimal digits without a
// leading zero, below n ("-", past the end, selects nothing).
func arrayIndex(tok string, n int) (int, bool) {
	if tok == "" || len(tok) > 1 && tok[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(tok)
	return i, err == nil && i < n
}

// equal compares two scalars: numerically when either is a number (the
// other may be a numeric string), else by exact string form (a bool as
// "true" or "false"). Objects, arrays and null never equal anything.
func equal(a, b any) bool {
	_, aNum := number(a)
	_, bNum := number(b)
	if aNum || bNum {
		x, ok1 := numeric(a)
		y, ok2 := numeric(b)
		return ok1 && ok2 && x == y
	}
	x, ok1 := text(a)
	y, ok2 := text(b)
	return ok1 && ok2 && x == y
}

// text returns a string or a bool as text.
func text(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case bool:
		return strconv.FormatBool(s), true
	}
	return "", false
}

// number returns v as a float64 when it is a JSON or Go number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint64:
		return float64(n), true
	case uint32:
		return float64(n), true
	}
	return 0, false
}

// numeric returns v as a float64 when it is a number or a string holding a
// finite one ("4", " 2.5").
func numeric(v any) (float64, bool) {
	if s, ok := v.(string); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return number(v)
}

// maxShown bounds how much of a device value a message quotes.
const maxShown = 80

// show renders a value for a message, in JSON, shortened past maxShown.
func show(v any) string {
	var s string
	switch x := v.(type) {
	case string:
		s = strconv.Quote(x)
	case json.Number:
		s = x.String()
	default:
		if f, ok := number(v); ok {
			s = num(f)
		} else if b, err := json.Marshal(v); err == nil {
			s = string(b)
		} else {
			s = fmt.Sprint(v)
		}
	}
	if len(s) > maxShown {
		n := maxShown - 3
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "..."
	}
	return s
}

// showList renders values as a JSON-like list.
func showList(values []any) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = show(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// showExpression renders an expression: `/type In ["gpu"]`,
// `/peripherals ContainsAll {/type In ["gpu"]}`, `gpu Exists`.
func showExpression(x application.Expression) string {
	key := x.Key
	if key == "" {
		key = `""`
	}
	s := key + " " + x.Operator
	if len(x.Values) > 0 {
		s += " " + showList(x.Values)
	}
	if x.ItemSelector != nil {
		s += " " + showSelector(x.ItemSelector)
	}
	return s
}

// showSelector renders a selector's expressions: `{e1, e2}`.
func showSelector(s *application.Selector) string {
	parts := make([]string, len(s.MatchExpressions))
	for i, x := range s.MatchExpressions {
		parts[i] = showExpression(x)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
