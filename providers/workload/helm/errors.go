package helm

import (
	"context"
	"errors"
	"strings"

	"helm.sh/helm/v3/pkg/storage/driver"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// canceled is the error of an operation whose context ended: it wraps
// ctx.Err(), so it is coded Canceled or Timeout.
func canceled(ctx context.Context, what string) error {
	err := ctx.Err()
	code := fault.Canceled
	if errors.Is(err, context.DeadlineExceeded) {
		code = fault.Timeout
	}
	return fault.Wrap(err, code, "%s", what)
}

// notFound reports a missing release.
func notFound(err error) bool {
	return errors.Is(err, driver.ErrReleaseNotFound) || (err != nil && strings.Contains(err.Error(), "no revision for release"))
}

// helmFault codes an error of a Helm action: a cluster that cannot be
// reached is Unavailable, a Wait that ran out of time Timeout, a chart that
// does not render BadRequest, a release busy with another operation
// Conflict.
func helmFault(err error, what string) error {
	if err == nil {
		return nil
	}
	if fe := fault.As(err); fe.Code != fault.Internal {
		return fault.Wrap(err, fe.Code, "%s", what)
	}
	msg := strings.ToLower(err.Error())
	var code fault.Code
	switch {
	case apierrors.IsUnauthorized(err):
		code = fault.Unauthorized
	case apierrors.IsForbidden(err):
		code = fault.Forbidden
	case apierrors.IsTimeout(err), apierrors.IsServerTimeout(err), errors.Is(err, context.DeadlineExceeded),
		strings.Contains(msg, "timed out waiting"), strings.Contains(msg, "context deadline exceeded"):
		code = fault.Timeout
	case apierrors.IsServiceUnavailable(err), apierrors.IsInternalError(err), apierrors.IsTooManyRequests(err),
		strings.Contains(msg, "kubernetes cluster unreachable"), strings.Contains(msg, "connection refused"),
		strings.Contains(msg, "no such host"), strings.Contains(msg, "i/o timeout"):
		code = fault.Unavailable
	case strings.Contains(msg, "another operation"):
		code = fault.Conflict
	case strings.Contains(msg, "parse error"), strings.Contains(msg, "template:"), strings.Contains(msg, "execution error"),
		strings.Contains(msg, "values don't meet the specifications"), strings.Contains(msg, "unable to build kubernetes objects"),
		apierrors.IsInvalid(err), apierrors.IsBadRequest(err):
		code = fault.BadRequest
	default:
		code = fault.Internal
	}
	return fault.Wrap(err, code, "%s", what)
}
