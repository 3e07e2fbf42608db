package application

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// idPattern is the pattern of application ids (profile ids are plain
// strings).
var idPattern = regexp.MustCompile(`^[-a-z0-9]{1,200}$`)

// path is a violation field path; "" is the root.
type path string

func (p path) String() string {
	if p == "" {
		return "$"
	}
	return string(p)
}

// key extends p by a member name (quoted when not a plain identifier).
func (p path) key(name string) path {
	plain := name != ""
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || i > 0 && (r >= '0' && r <= '9' || r == '-')
		plain = plain && ok
	}
	switch {
	case !plain:
		return p + path("["+strconv.Quote(name)+"]")
	case p == "":
		return path(name)
	}
	return p + "." + path(name)
}

// index extends p by an array index.
func (p path) index(i int) path { return p + path("["+strconv.Itoa(i)+"]") }

// walker reads the generic form of a document and collects violations.
type walker struct {
	vs     []fault.Violation
	closed bool // unknown members are violations
}

func (w *walker) add(p path, format string, args ...any) {
	w.vs = append(w.vs, fault.Violation{Field: p.String(), Message: fmt.Sprintf(format, args...)})
}

// Kind names a generic value's JSON kind for messages ("a string", "an
// array", ...), Go integers and floats counting as numbers.
func Kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// object returns v as an object, or records a violation (nil v is absent).
func (w *walker) object(p path, v any, required bool) map[string]any {
	if v == nil {
		if required {
			w.add(p, "is required")
		}
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		w.add(p, "must be an object, not %s", Kind(v))
	}
	return m
}

// array returns m[k] as an array.
func (w *walker) array(p path, m map[string]any, k string, required bool) []any {
	v, ok := m[k]
	if !ok || v == nil {
		if required {
			w.add(p.key(k), "is required")
		}
		return nil
	}
	a, ok := v.([]any)
	if !ok {
		w.add(p.key(k), "must be an array, not %s", Kind(v))
	}
	return a
}

// str returns m[k] as a string; required strings must not be empty.
func (w *walker) str(p path, m map[string]any, k string, required bool) string {
	v, ok := m[k]
	if !ok || v == nil {
		if required {
			w.add(p.key(k), "is required")
		}
		return ""
	}
	switch s := v.(type) {
	case string:
		if required && strings.TrimSpace(s) == "" {
			w.add(p.key(k), "must not be empty")
		}
		return s
	case json.Number: // versions such as 1.2 written unquoted
		return s.String()
	}
	w.add(p.key(k), "must be a string, not %s", Kind(v))
	return ""
}

// boolean returns m[k] as a bool; "true"/"false" strings are accepted, as
// upstream examples write them.
func (w *walker) boolean(p path, m map[string]any, k string) *bool {
	v, ok := m[k]
	if !ok || v == nil {
		return nil
	}
	switch b := v.(type) {
	case bool:
		return &b
	case string:
		if pb, err := strconv.ParseBool(b); err == nil && (b == "true" || b == "false") {
			return &pb
		}
	}
	w.add(p.key(k), "must be a boolean, not %s", Kind(v))
	return nil
}

// number returns m[k] as a float64 (nil when absent).
func (w *walker) number(p path, m map[string]any, k string) *float64 {
	v, ok := m[k]
	if !ok || v == nil {
		return nil
	}
	if n, ok := v.(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			return &f
		}
	}
	w.add(p.key(k), "must be a number, not %s", Kind(v))
	return nil
}

// count returns m[k] as a non-negative integer (nil when absent).
func (w *walker) count(p path, m map[string]any, k string) *int {
	f := w.number(p, m, k)
	if f == nil {
		return nil
	}
	if *f < 0 || *f != float64(int(*f)) {
		w.add(p.key(k), "must be a non-negative integer")
		return nil
	}
	n := int(*f)
	return &n
}

// strings returns m[k] as an array of strings.
func (w *walker) strings(p path, m map[string]any, k string, required bool) []string {
	var out []string
	for i, v := range w.array(p, m, k, required) {
		s, ok := v.(string)
		if !ok {
			w.add(p.key(k).index(i), "must be a string, not %s", Kind(v))
			continue
		}
		out = append(out, s)
	}
	return out
}

// known flags the members of m not in names when the walker is closed;
// x-*-extensions members are always allowed.
func (w *walker) known(p path, m map[string]any, names ...string) {
	if !w.closed {
		return
	}
	for k := range m {
		if slices.Contains(names, k) || strings.HasPrefix(k, "x-") && strings.HasSuffix(k, "-extensions") {
			continue
		}
		w.add(p.key(k), "is not a known member")
	}
}

// id checks an id member against idPattern.
func (w *walker) id(p path, m map[string]any, k string) string {
	s := w.str(p, m, k, true)
	if s != "" && !idPattern.MatchString(s) {
		w.add(p.key(k), "must match %s (lowercase letters, digits and '-', at most 200)", idPattern)
	}
	return s
}
