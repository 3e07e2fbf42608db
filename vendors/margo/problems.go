package margo

import (
	"errors"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// typed returns err with the problem type uri when err carries code and has
// no type yet; any other error is returned unchanged. The manager's error is
// never modified (it may be shared): a typed copy with the same cause is
// returned instead.
func typed(err error, code fault.Code, uri string) error {
	var fe *fault.Error
	if err == nil || !errors.As(err, &fe) || fe.Code != code || fe.Type != "" {
		return err
	}
	return &fault.Error{
		Code:       fe.Code,
		Type:       uri,
		Title:      fe.Title,
		Detail:     fe.Detail,
		Violations: fe.Violations,
		Extensions: fe.Extensions,
		RetryAfter: fe.RetryAfter,
		Cause:      fe.Cause,
	}
}

// problem returns a new typed fault.
func problem(code fault.Code, uri, format string, args ...any) *fault.Error {
	return fault.New(code, format, args...).WithType(uri)
}
