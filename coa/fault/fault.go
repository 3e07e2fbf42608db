// Package fault is Cadenza's one error type: a typed code plus a wrapped cause.
//
// Bindings map a Code to a protocol status (HTTP status, MQTT reply status) and
// render the error as an RFC 9457 problem document. Handlers and providers
// return *Error values (or wrap them with %w); errors.Is and errors.As work
// through the chain.
package fault

import (
	"errors"
	"fmt"
)

// Code classifies an error independently of any protocol.
type Code string

// The codes Cadenza uses. Bindings map each to one status (see Status).
const (
	Internal           Code = "internal"
	BadRequest         Code = "bad-request"
	Unauthorized       Code = "unauthorized"
	Forbidden          Code = "forbidden"
	NotFound           Code = "not-found"
	MethodNotAllowed   Code = "method-not-allowed"
	NotAcceptable      Code = "not-acceptable"
	Conflict           Code = "conflict"
	Gone               Code = "gone"
	PreconditionFailed Code = "precondition-failed"
	TooLarge           Code = "too-large"
	UnsupportedMedia   Code = "unsupported-media-type"
	Unprocessable      Code = "unprocessable"
	TooManyRequests    Code = "too-many-requests"
	Unavailable        Code = "unavailable"
	Timeout            Code = "timeout"
	Canceled           Code = "canceled"
)

// Violation is one field-level problem, reported in a problem document's
// "errors" member (RFC 9457 extension used by the Margo spec for 422).
type Violation struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a typed error. Only Code is required.
type Error struct {
	Code       Code
	Type       string         // problem type URI; "" means about:blank
	Title      string         // short summary; "" means the code's default title
	Detail     string         // human-readable explanation for this occurrence
	Violations []Violation    // field-level problems (422 and the like)
	Extensions map[string]any // extra problem members (e.g. retryable)
	RetryAfter int            // seconds; > 0 adds a Retry-After header where the protocol has one
	Cause      error
}

// New returns an *Error with a formatted detail.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with code and detail that wraps cause.
func Wrap(cause error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...), Cause: cause}
}

func (e *Error) Error() string {
	msg := string(e.Code)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Is reports whether target is an *Error with the same code (and the same
// type URI when the target sets one), so errors.Is(err, fault.ErrNotFound) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	if t.Code != e.Code {
		return false
	}
	return t.Type == "" || t.Type == e.Type
}

// WithType sets the problem type URI and returns e.
func (e *Error) WithType(uri string) *Error { e.Type = uri; return e }

// WithViolations sets the violations and returns e.
func (e *Error) WithViolations(v []Violation) *Error { e.Violations = v; return e }

// Sentinels for errors.Is.
var (
	ErrNotFound      = &Error{Code: NotFound}
	ErrConflict      = &Error{Code: Conflict}
	ErrBadRequest    = &Error{Code: BadRequest}
	ErrUnavailable   = &Error{Code: Unavailable}
	ErrUnprocessable = &Error{Code: Unprocessable}
)

// CodeOf returns the code of the first *Error in err's chain, Canceled or
// Timeout for context errors, and Internal otherwise.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	return classifyContext(err)
}

// As returns the first *Error in err's chain, or a new Internal one wrapping err.
func As(err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	return &Error{Code: classifyContext(err), Cause: err}
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }
