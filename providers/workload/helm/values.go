package helm

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// Values turns a component's parameters into Helm values: each key is a
// dot path ("settings.pollFrequency" sets values["settings"]
// ["pollFrequency"]); a dot escaped with a backslash ("a\.b") is part of
// the key. Values are kept as given (a string stays a string, arrays are
// set whole); there is no --set style type guessing. Two paths that
// conflict ("a" and "a.b") are a fault.BadRequest.
func Values(params map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for _, path := range slices.Sorted(maps.Keys(params)) {
		keys := splitPath(path)
		if slices.Contains(keys, "") {
			return nil, fault.New(fault.BadRequest, "parameter pointer %q: empty key in the dot path", path)
		}
		m := out
		for i, k := range keys {
			if i == len(keys)-1 {
				if _, taken := m[k]; taken {
					return nil, fault.New(fault.BadRequest, "parameter pointer %q conflicts with another pointer", path)
				}
				m[k] = cloneValue(params[path])
				break
			}
			next, ok := m[k]
			if !ok {
				child := map[string]any{}
				m[k] = child
				m = child
				continue
			}
			child, isMap := next.(map[string]any)
			if !isMap {
				return nil, fault.New(fault.BadRequest, "parameter pointer %q conflicts with another pointer", path)
			}
			m = child
		}
	}
	return out, nil
}

// splitPath splits a dot path on its unescaped dots.
func splitPath(p string) []string {
	var keys []string
	var cur strings.Builder
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p) && p[i+1] == '.':
			cur.WriteByte('.')
			i++
		case p[i] == '.':
			keys = append(keys, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(p[i])
		}
	}
	return append(keys, cur.String())
}

// cloneValue copies lists so that Helm never shares the caller's slices.
func cloneValue(v any) any {
	if list, ok := v.([]any); ok {
		return slices.Clone(list)
	}
	return v
}

// sameValues reports whether two value trees are equal once encoded as
// JSON (map keys sorted, numbers as JSON numbers), so values read back from
// a release stored as JSON compare equal to freshly built ones. nil and
// empty are equal.
func sameValues(a, b map[string]any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil {
		return false
	}
	if len(a) == 0 {
		ja = []byte("{}")
	}
	if len(b) == 0 {
		jb = []byte("{}")
	}
	return bytes.Equal(ja, jb)
}
