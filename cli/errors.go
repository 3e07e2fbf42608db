package cli

// Failures of the operator commands: the API's problem documents and the
// transport's errors, printed with a hint of what to do next.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/cadenza-edge/cadenza/operator"
)

// hinted is an error with the hint to print under it.
type hinted struct {
	error
	hint string
}

func (h *hinted) Unwrap() error { return h.error }

// problem is a failure found by the command itself, with a hint.
func problem(hint, format string, a ...any) error {
	return &hinted{error: errors.New(fmt.Sprintf(format, a...)), hint: hint}
}

// hintIf gives err the hint when it is an answer with status (a 404 means
// the resource is missing, not the route).
func hintIf(err error, status int, hint string) error {
	var e *operator.Error
	if errors.As(err, &e) && e.Status == status && !noRoute(e) {
		return &hinted{error: err, hint: hint}
	}
	return err
}

// noRoute reports whether e says the server serves no such route: the
// server is not the operator API, or is older than the command.
func noRoute(e *operator.Error) bool {
	return (e.Status == http.StatusNotFound && (e.Problem.Detail == "no endpoint serves this path" || !e.IsProblem())) ||
		e.Status == http.StatusMethodNotAllowed
}

// fail prints err (an API's problem with its violations, a transport
// failure, or another error) with its hint, and returns 1.
func (c *command) fail(err error) int {
	msg, hint := err.Error(), ""
	var (
		h  *hinted
		e  *operator.Error
		ue *url.Error
	)
	switch {
	case errors.As(err, &h):
		hint = h.hint
	case errors.As(err, &e):
		hint = c.statusHint(e)
	case errors.As(err, &ue):
		msg, hint = c.transportError(ue)
	}
	fmt.Fprintf(c.stderr, "cadenza %s: %s\n", c.name, msg)
	if errors.As(err, &e) {
		for _, v := range e.Problem.Errors {
			fmt.Fprintf(c.stderr, "  %s: %s\n", v.Field, v.Message)
		}
	}
	if hint != "" {
		fmt.Fprintf(c.stderr, "hint: %s\n", hint)
	}
	return 1
}

// done turns a printing error into the exit code.
func (c *command) done(err error) int {
	if err != nil {
		return c.fail(err)
	}
	return 0
}

// statusHint says what to do about an error status.
func (c *command) statusHint(e *operator.Error) string {
	switch {
	case e.Status == http.StatusUnauthorized:
		return "pass a token the WFM accepts with --token or set CADENZA_TOKEN (samples/wfm.json accepts $CADENZA_TOKEN of the WFM, else sandbox-token)"
	case e.Status == http.StatusForbidden:
		return "this token may not do that: use another with --token or CADENZA_TOKEN"
	case noRoute(e):
		hint := fmt.Sprintf("the server at %s does not serve %s %s: check that --server ends with the operator API prefix (like /fleet/v1), and that the WFM is recent enough for this command", c.server, e.Method, e.Path)
		if strings.HasPrefix(e.Path, "/registries") || strings.HasPrefix(e.Path, "/applications") {
			hint += "; the catalog routes need a managers.catalog among the managers of vendors.fleet (see samples/wfm.json)"
		}
		return hint
	case e.Status == http.StatusServiceUnavailable:
		return "the WFM or something it depends on is unavailable; retry shortly, and see the WFM's log"
	case e.Status >= 500:
		return "the WFM failed; see its log"
	}
	return ""
}

// transportError explains a failure to get an answer: the message and the hint.
func (c *command) transportError(err error) (string, string) {
	msg := fmt.Sprintf("%s: %v", c.server, err)
	var (
		unknownCA x509.UnknownAuthorityError
		verify    *tls.CertificateVerificationError
		host      x509.HostnameError
		dns       *net.DNSError
		recordErr tls.RecordHeaderError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted", ""
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("nothing answers at %s (connection refused)", c.server),
			"start the WFM with `cadenza run --config samples/wfm.json`, or point --server (or CADENZA_SERVER) at yours"
	case errors.As(err, &host):
		return msg, "the WFM's certificate does not name the host of --server: use a host name or address it lists (samples/wfm.json: 127.0.0.1 or localhost)"
	case errors.As(err, &unknownCA) || errors.As(err, &verify):
		return msg, "the WFM's certificate is not signed by a CA this command trusts: pass --cacert FILE or set CADENZA_CACERT (the sample WFM writes its CA to var/wfm/ca.pem)"
	case errors.As(err, &recordErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return msg, "the server does not speak TLS: use an http:// --server URL, or the WFM's https port"
	case errors.As(err, &dns):
		return msg, "the host of --server does not resolve: check --server or CADENZA_SERVER"
	case isTimeout(err):
		return msg, fmt.Sprintf("no answer within --timeout %s: check that the WFM runs and is reachable, or raise --timeout", c.timeout)
	}
	return msg, "check --server (or CADENZA_SERVER) and that the WFM runs"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
