package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// syntax parses the document and reports a syntax error with line and column.
func syntax(file string, data []byte) (any, error) {
	var tree any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		var probe any
		if uerr := json.Unmarshal(data, &probe); uerr != nil {
			err = uerr // carries the offset of a truncated document too
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := position(data, se.Offset)
			return nil, Errors{{File: fmt.Sprintf("%s:%d:%d", file, line, col), Reason: "malformed JSON: " + se.Error(), Cause: err}}
		}
		return nil, Errors{{File: file, Reason: "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: "), Cause: err}}
	}
	if dec.More() {
		return nil, Errors{{File: file, Reason: "malformed JSON: data after the top-level object"}}
	}
	return tree, nil
}

func position(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < offset && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// expand replaces ${env:NAME} and ${file:PATH} references inside string
// values. "$${" escapes a literal "${". A missing variable or unreadable file
// is an error naming the path.
func expand(file, path string, v any, lookup func(string) (string, bool), errs *Errors) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = expand(file, join(path, k), e, lookup, errs)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = expand(file, fmt.Sprintf("%s[%d]", path, i), e, lookup, errs)
		}
		return t
	case string:
		s, err := expandString(t, lookup)
		if err != nil {
			*errs = append(*errs, &Error{File: file, Path: path, Reason: err.Error(), Cause: err})
		}
		return s
	}
	return v
}

func expandString(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unterminated reference %q: write ${env:NAME} or ${file:PATH}", s[i:])
		}
		ref := s[i+2 : i+end]
		val, err := resolve(ref, lookup)
		if err != nil {
			return "", err
		}
		b.WriteString(val)
		s = s[i+end+1:]
	}
}

func resolve(ref string, lookup func(string) (string, bool)) (string, error) {
	kind, name, ok := strings.Cut(ref, ":")
	if !ok || name == "" {
		return "", fmt.Errorf("reference ${%s} must be ${env:NAME} or ${file:PATH}", ref)
	}
	switch kind {
	case "env":
		name, def, hasDef := strings.Cut(name, ":-")
		if v, ok := lookup(name); ok {
			return v, nil
		}
		if hasDef {
			return def, nil
		}
		return "", fmt.Errorf("environment variable %s is not set (referenced as ${env:%s}); set it or give a default with ${env:%s:-value}", name, name, name)
	case "file":
		b, err := os.ReadFile(name)
		if err != nil {
			return "", fmt.Errorf("cannot read %s (referenced as ${file:%s}): %w", name, name, errors.Unwrap(err))
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return "", fmt.Errorf("reference ${%s}: unknown source %q (use env or file)", ref, kind)
}
