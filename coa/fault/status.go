package fault

import (
	"context"
	"errors"
	"net/http"
)

var statusOf = map[Code]int{
	Internal:           http.StatusInternalServerError,
	BadRequest:         http.StatusBadRequest,
	Unauthorized:       http.StatusUnauthorized,
	Forbidden:          http.StatusForbidden,
	NotFound:           http.StatusNotFound,
	MethodNotAllowed:   http.StatusMethodNotAllowed,
	NotAcceptable:      http.StatusNotAcceptable,
	Conflict:           http.StatusConflict,
	Gone:               http.StatusGone,
	PreconditionFailed: http.StatusPreconditionFailed,
	TooLarge:           http.StatusRequestEntityTooLarge,
	UnsupportedMedia:   http.StatusUnsupportedMediaType,
	Unprocessable:      http.StatusUnprocessableEntity,
	TooManyRequests:    http.StatusTooManyRequests,
	Unavailable:        http.StatusServiceUnavailable,
	Timeout:            http.StatusGatewayTimeout,
	Canceled:           499,
}

// Status maps a code to its HTTP status (500 for unknown codes).
func Status(c Code) int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Title is the default short title of a code.
func Title(c Code) string {
	if c == Canceled {
		return "Client Closed Request"
	}
	return http.StatusText(Status(c))
}

func classifyContext(err error) Code {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return Timeout
	case errors.Is(err, context.Canceled):
		return Canceled
	}
	return Internal
}
