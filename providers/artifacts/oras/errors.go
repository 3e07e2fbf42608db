package oras

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// extRetryable is the fault extension that marks an Unavailable error as
// not worth retrying (a configuration problem, not an outage).
const extRetryable = "retryable"

// permanent marks e as not retryable and returns it.
func permanent(e *fault.Error) *fault.Error {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions[extRetryable] = false
	return e
}

// retryable reports whether a pull that failed with err may succeed if
// tried again: Unavailable errors not marked permanent.
func retryable(err error) bool {
	fe := fault.As(err)
	return fe.Code == fault.Unavailable && fe.Extensions[extRetryable] != false
}

// classify turns an error from oras-go, net/http or the file system into a
// coded *fault.Error. host names the registry (or layout) for hints; reg is
// its config. Context errors pass through unchanged for the caller to code.
func classify(err error, host string, reg Registry) error {
	var fe *fault.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	var resp *errcode.ErrorResponse
	if errors.As(err, &resp) {
		return classifyStatus(err, resp.StatusCode, host, reg)
	}
	msg := err.Error()
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		header    tls.RecordHeaderError
		netErr    net.Error
	)
	switch {
	case errors.Is(err, errdef.ErrNotFound):
		return fault.Wrap(err, fault.NotFound, "not in %s", host)
	case errors.Is(err, auth.ErrBasicCredentialNotFound), strings.Contains(msg, "missing username or password"):
		return fault.Wrap(err, fault.Unauthorized, "%s wants credentials: set registries[%q].username and password, or credentialsFile", host, host)
	case errors.Is(err, content.ErrMismatchedDigest), errors.Is(err, content.ErrTrailingData),
		errors.Is(err, errdef.ErrInvalidDigest), errors.Is(err, content.ErrInvalidDescriptorSize),
		strings.Contains(msg, "mismatch Content-Length"), strings.Contains(msg, "digest mismatch"):
		return fault.Wrap(err, fault.Unprocessable, "content from %s does not match its digest or size (tampered or corrupt)", host)
	case errors.Is(err, errdef.ErrInvalidReference):
		return fault.Wrap(err, fault.BadRequest, "invalid reference")
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"), errors.As(err, &header):
		return permanent(fault.Wrap(err, fault.Unavailable,
			"%s answers plain HTTP; pulls use HTTPS unless registries[%q].plainHTTP is true (never inferred)", host, host))
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verify):
		return permanent(fault.Wrap(err, fault.Unavailable,
			"TLS certificate of %s is not trusted: set registries[%q].ca to the CA's PEM file", host, host))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.As(err, &netErr):
		return fault.Wrap(err, fault.Unavailable, "%s is unreachable", host)
	}
	return permanent(fault.Wrap(err, fault.Unavailable, "pulling from %s", host))
}

// classifyStatus codes an HTTP error status from a registry.
func classifyStatus(err error, status int, host string, reg Registry) error {
	switch {
	case status == http.StatusUnauthorized:
		return fault.Wrap(err, fault.Unauthorized, "%s refused the credentials (or wants some): check registries[%q] or credentialsFile", host, host)
	case status == http.StatusForbidden:
		return fault.Wrap(err, fault.Forbidden, "%s denies pull access", host)
	case status == http.StatusNotFound:
		return fault.Wrap(err, fault.NotFound, "not in %s", host)
	case status == http.StatusTooManyRequests, status == http.StatusRequestTimeout, status >= 500:
		return fault.Wrap(err, fault.Unavailable, "%s failed", host)
	case status == http.StatusBadRequest && reg.PlainHTTP:
		return fault.Wrap(err, fault.BadRequest, "%s refused a plain-HTTP request: does it serve HTTPS? registries[%q].plainHTTP is true", host, host)
	case status == http.StatusBadRequest:
		return fault.Wrap(err, fault.BadRequest, "%s refused the request", host)
	}
	return permanent(fault.Wrap(err, fault.Unavailable, "%s answered status %d", host, status))
}
