package git

import (
	"context"
	"errors"
	"net/url"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// remoteError maps a go-git transport error to a contract fault code.
func remoteError(ctx context.Context, err error, u string) error {
	where := redact(u)
	switch {
	case ctx.Err() != nil:
		return ctxError(ctx.Err())
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return ctxError(err)
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		return fault.Wrap(err, fault.Unauthorized, "registry %s", where)
	case errors.Is(err, transport.ErrRepositoryNotFound), errors.Is(err, transport.ErrEmptyRemoteRepository):
		return fault.Wrap(err, fault.NotFound, "registry %s", where)
	case errors.Is(err, transport.ErrInvalidAuthMethod):
		return fault.Wrap(err, fault.BadRequest, "registry %s", where)
	}
	return fault.Wrap(err, fault.Unavailable, "registry %s", where)
}

// ctxError codes a context error.
func ctxError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fault.Wrap(err, fault.Timeout, "registry fetch timed out")
	}
	return fault.Wrap(err, fault.Canceled, "registry fetch canceled")
}

// redact drops credentials written into a URL.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = url.User("redacted")
	return u.String()
}

// cleanSub cleans a registry sub-path ("" for the root).
func cleanSub(p string) (string, bool) {
	p = strings.Trim(p, "/")
	if p == "" {
		return "", true
	}
	c := path.Clean(p)
	if c == "." {
		return "", true
	}
	if c == ".." || strings.HasPrefix(c, "../") || strings.Contains(p, "\\") {
		return "", false
	}
	return c, true
}
