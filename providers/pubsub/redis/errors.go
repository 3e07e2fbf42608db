package redis

import (
	"context"
	"errors"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// backend codes an error from redis: a context's end keeps its own code
// (Canceled, Timeout), anything else is Unavailable with the cause.
func backend(err error, op string) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fault.Wrap(err, fault.CodeOf(err), "%s: %s", ID, op)
	}
	return fault.Wrap(err, fault.Unavailable, "%s: %s", ID, op)
}

// isNoGroup reports the server's answer for a missing stream or group
// (e.g. after a restart without persistence).
func isNoGroup(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "NOGROUP") }

// isBusyGroup reports the server's answer to creating a group that exists.
func isBusyGroup(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "BUSYGROUP") }
