package cli

// Label selectors as kubectl writes them: k=v, k!=v, k, !k, "k in (a,b)".

import (
	"fmt"
	"strings"
)

// selectorReq is one requirement of a label selector: op is "=", "!=",
// "in", "notin", "exists" or "!exists".
type selectorReq struct {
	key, op string
	values  []string
}

// parseSelector parses a kubectl-style label selector: comma-separated
// k=v, k==v, k!=v, k, !k, "k in (a,b)", "k notin (a,b)".
func parseSelector(s string) ([]selectorReq, error) {
	var out []selectorReq
	for _, part := range splitSelector(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("empty requirement")
		}
		var r selectorReq
		switch {
		case strings.HasPrefix(part, "!"):
			r = selectorReq{key: strings.TrimSpace(part[1:]), op: "!exists"}
		case strings.Contains(part, "!="):
			k, v, _ := strings.Cut(part, "!=")
			r = selectorReq{key: strings.TrimSpace(k), op: "!=", values: []string{strings.TrimSpace(v)}}
		case strings.Contains(part, "="):
			k, v, _ := strings.Cut(part, "=")
			r = selectorReq{key: strings.TrimSpace(k), op: "=", values: []string{strings.TrimSpace(strings.TrimPrefix(v, "="))}}
		default:
			fieldsOf := strings.Fields(part)
			switch {
			case len(fieldsOf) == 1:
				r = selectorReq{key: part, op: "exists"}
			case len(fieldsOf) >= 2 && (fieldsOf[1] == "in" || strings.HasPrefix(fieldsOf[1], "in(") ||
				fieldsOf[1] == "notin" || strings.HasPrefix(fieldsOf[1], "notin(")):
				op := "in"
				rest := strings.TrimSpace(strings.TrimPrefix(part, fieldsOf[0]))
				if strings.HasPrefix(rest, "notin") {
					op = "notin"
				}
				rest = strings.TrimSpace(strings.TrimPrefix(rest, op))
				if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
					return nil, fmt.Errorf("%q: expected %s %s (a,b)", part, fieldsOf[0], op)
				}
				var vals []string
				for _, v := range strings.Split(rest[1:len(rest)-1], ",") {
					if v = strings.TrimSpace(v); v != "" {
						vals = append(vals, v)
					}
				}
				if len(vals) == 0 {
					return nil, fmt.Errorf("%q: no values in the parentheses", part)
				}
				r = selectorReq{key: fieldsOf[0], op: op, values: vals}
			default:
				return nil, fmt.Errorf("%q: expected k=v, k!=v, k, !k, k in (a,b) or k notin (a,b)", part)
			}
		}
		if r.key == "" {
			return nil, fmt.Errorf("%q: the label key is empty", part)
		}
		out = append(out, r)
	}
	return out, nil
}

// splitSelector splits at the commas outside parentheses.
func splitSelector(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}
