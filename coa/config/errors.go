// Package config reads and checks host configs: the host document's shape,
// environment references, strict decoding of each module's own config, and
// errors that name the file, the JSON path and the reason.
package config

import (
	"errors"
	"fmt"
	"strings"
)

// Error is one config problem.
type Error struct {
	File   string // config file ("" when not from a file)
	Path   string // JSON path, e.g. vendors[1].managers[0].uses.state
	Reason string
	Cause  error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Cause }

// Field returns an error for a field path relative to the module config.
// Validate methods use it so the host can prefix the module's own path.
func Field(path, format string, args ...any) *Error {
	return &Error{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// Errors is a list of config problems.
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Err returns nil for an empty list.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Validator is implemented by module config structs.
type Validator interface {
	Validate() error
}

// Defaulter is implemented by module config structs that fill defaults
// before decoding (the config target is pre-filled, then overwritten by the
// JSON) — use it when a zero value is a meaningful setting.
type Defaulter interface {
	Defaults()
}

// prefix rewrites errors from a module's Validate with the module's path.
func prefix(file, base string, err error) Errors {
	var out Errors
	var list Errors
	var one *Error
	switch {
	case errors.As(err, &list):
		for _, e := range list {
			out = append(out, prefix(file, base, e)...)
		}
	case errors.As(err, &one):
		out = append(out, &Error{File: file, Path: join(base, one.Path), Reason: one.Reason, Cause: one.Cause})
	default:
		out = append(out, &Error{File: file, Path: base, Reason: err.Error(), Cause: err})
	}
	return out
}

func join(base, sub string) string {
	switch {
	case sub == "":
		return base
	case base == "":
		return sub
	case strings.HasPrefix(sub, "["):
		return base + sub
	}
	return base + "." + sub
}
