package cli

// Parameter values of cadenza deploy and cadenza deployment update:
// --values files, --set and --set-string.

import (
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// valueFlags are --values, --set and --set-string, applied in that order
// (--set and --set-string in command-line order).
type valueFlags struct {
	files []string
	sets  []setArg
}

type setArg struct {
	raw      string
	asString bool
}

// setFlag appends to a valueFlags' sets (a pflag.Value).
type setFlag struct {
	v        *valueFlags
	asString bool
}

func (s setFlag) String() string { return "" }
func (s setFlag) Type() string   { return "NAME=VALUE" }
func (s setFlag) Set(v string) error {
	s.v.sets = append(s.v.sets, setArg{raw: v, asString: s.asString})
	return nil
}

// register adds --values, --set and --set-string to fs; merged says the
// values merge into a deployment's current ones (deployment update).
func (v *valueFlags) register(fs *Flags, merged bool) {
	if merged {
		fs.StringArray(&v.files, "values", "", "YAML `FILE` of parameter values merged into the current ones (repeatable)")
		fs.Var(setFlag{v: v}, "set", "parameter value `NAME=VALUE` merged into the current ones, read as a YAML scalar; NAME=null removes it (repeatable)")
	} else {
		fs.StringArray(&v.files, "values", "", "YAML `FILE` of parameter values, name: value (repeatable; later ones win)")
		fs.Var(setFlag{v: v}, "set", "parameter value `NAME=VALUE`, read as YAML reads a scalar (8080, true, null, '\"quoted\"') (repeatable)")
	}
	fs.Var(setFlag{v: v, asString: true}, "set-string", "parameter value `NAME=VALUE` kept as a string (repeatable)")
}

func (v *valueFlags) given() bool { return len(v.files) > 0 || len(v.sets) > 0 }

// apply returns base with the values files and the --set flags merged in;
// a null value removes the parameter (its default applies).
func (v *valueFlags) apply(base map[string]any) (map[string]any, error) {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
	put := func(k string, x any) {
		if x == nil {
			delete(out, k)
		} else {
			out[k] = x
		}
	}
	for _, f := range v.files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--values: %v", err)
		}
		var doc any
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("--values %s: %v", f, err)
		}
		m, ok := doc.(map[string]any)
		if !ok && doc != nil {
			return nil, fmt.Errorf("--values %s: must be a mapping of parameter names to values, not %s", f, yamlKind(doc))
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			put(k, m[k])
		}
	}
	for _, s := range v.sets {
		k, raw, ok := strings.Cut(s.raw, "=")
		flagName := "--set"
		if s.asString {
			flagName = "--set-string"
		}
		switch {
		case !ok:
			return nil, fmt.Errorf("%s %q: expected NAME=VALUE", flagName, s.raw)
		case k == "":
			return nil, fmt.Errorf("%s %q: the parameter name is empty", flagName, s.raw)
		}
		if s.asString {
			put(k, raw)
		} else {
			put(k, parseScalar(raw))
		}
	}
	return out, nil
}

// yamlKind names the kind of a decoded YAML value.
func yamlKind(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, int64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

var (
	intPattern   = regexp.MustCompile(`^[-+]?(0|[1-9][0-9]*)$`)
	hexPattern   = regexp.MustCompile(`^0x[0-9a-fA-F]+$`)
	floatPattern = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+)$`)
)

// parseScalar reads a --set value as YAML (1.2 core schema) reads a
// scalar: true/false, null/~, integers, floats; a quoted value is the
// string inside the quotes; [a, b] is a list. Anything else, and numbers
// with leading zeros (01234), stay strings.
func parseScalar(s string) any {
	if n := len(s); n >= 2 && ((s[0] == '"' && s[n-1] == '"') || (s[0] == '\'' && s[n-1] == '\'')) {
		var out string
		if err := yaml.Unmarshal([]byte(s), &out); err == nil {
			return out
		}
		return s[1 : n-1]
	}
	switch s {
	case "true", "True", "TRUE":
		return true
	case "false", "False", "FALSE":
		return false
	case "null", "Null", "NULL", "~":
		return nil
	}
	switch {
	case intPattern.MatchString(s):
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	case hexPattern.MatchString(s):
		if n, err := strconv.ParseInt(s[2:], 16, 64); err == nil {
			return n
		}
	case floatPattern.MatchString(s):
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
		var list []any
		if err := yaml.Unmarshal([]byte(s), &list); err == nil {
			return list
		}
	}
	return s
}
