package signature

import (
	"fmt"
	"strings"
)

// Message is the protocol-neutral view of a request that Signer and Verifier
// work on.
type Message struct {
	Method string
	// TargetURI is the absolute target URI as the client addressed it,
	// e.g. https://wfm.example.com/api/v1/clients/c1/deployments?x=1.
	TargetURI string
	// Authority is host[:port] as the client addressed it (the Host field);
	// the authority of TargetURI is used when empty.
	Authority string
	// Headers holds field values by lower-case name; repeated fields are
	// already combined with ", ".
	Headers map[string]string
	Body    []byte
}

// header returns the value of the field name (lower-case), falling back to a
// case-insensitive match for callers that did not lower-case their keys.
func (m *Message) header(name string) (string, bool) {
	if v, ok := m.Headers[name]; ok {
		return v, true
	}
	for k, v := range m.Headers {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// target is an absolute URI split into the parts derived components use.
type target struct {
	scheme, authority, path, query string
	hasQuery                       bool
}

// parseTarget splits an absolute URI without normalising anything, so that
// signer and verifier see the bytes that went over the wire.
func parseTarget(uri string) (target, error) {
	var t target
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c <= ' ' || c == 0x7f {
			return t, fmt.Errorf("target URI contains a control or space character")
		}
	}
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok || !validScheme(scheme) {
		return t, fmt.Errorf("target URI %q is not absolute", uri)
	}
	t.scheme = strings.ToLower(scheme)
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	t.authority, rest = rest[:end], rest[end:]
	if t.authority == "" {
		return t, fmt.Errorf("target URI %q has no authority", uri)
	}
	t.path, t.query, t.hasQuery = strings.Cut(rest, "?")
	return t, nil
}

// validScheme checks ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func validScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// trimOWS removes leading and trailing spaces and tabs (optional whitespace).
func trimOWS(s string) string { return strings.Trim(s, " \t") }

// normalizeAuthority lower-cases host[:port] and removes the scheme's
// default port (RFC 9421 §2.2.3, RFC 9110 §4.2.3).
func normalizeAuthority(authority, scheme string) string {
	a := strings.ToLower(authority)
	var def string
	switch scheme {
	case "https", "wss":
		def = "443"
	case "http", "ws":
		def = "80"
	}
	host, port := a, ""
	if strings.HasPrefix(a, "[") {
		if i := strings.IndexByte(a, ']'); i >= 0 {
			host, port = a[:i+1], a[i+1:]
		}
	} else if i := strings.LastIndexByte(a, ':'); i >= 0 {
		host, port = a[:i], a[i:]
	}
	if port == ":" || (def != "" && port == ":"+def) {
		return host
	}
	return a
}

// componentValue derives the value of one covered component (RFC 9421 §2.1,
// §2.2). t is parsed lazily by the caller.
func (m *Message) componentValue(name string, t *target) (string, error) {
	switch name {
	case ComponentMethod:
		return m.Method, nil
	case ComponentTargetURI:
		return m.TargetURI, nil
	case ComponentAuthority:
		a := m.Authority
		if a == "" {
			a = t.authority
		}
		return normalizeAuthority(a, t.scheme), nil
	case ComponentScheme:
		return t.scheme, nil
	case ComponentPath:
		if t.path == "" {
			return "/", nil
		}
		return t.path, nil
	case ComponentQuery:
		return "?" + t.query, nil
	case ComponentRequestTarget:
		p := t.path
		if p == "" {
			p = "/"
		}
		if t.hasQuery {
			p += "?" + t.query
		}
		return p, nil
	}
	if strings.HasPrefix(name, "@") {
		return "", fmt.Errorf("component %q is not supported", name)
	}
	v, ok := m.header(name)
	if !ok {
		return "", fmt.Errorf("covered field %q is absent from the message", name)
	}
	return trimOWS(v), nil
}

// signatureBase builds the RFC 9421 §2.5 signature base: one line
// `"<component>": <value>` per covered component, then
// `"@signature-params": <sigParams>` with no trailing newline.
func signatureBase(m *Message, components []string, sigParams string) ([]byte, error) {
	t, err := parseTarget(m.TargetURI)
	if err != nil {
		return nil, err
	}
	method := m.Method
	if method == "" || strings.ContainsAny(method, " \t\r\n") {
		return nil, fmt.Errorf("invalid method %q", method)
	}
	size := len(sigParams) + 24
	for _, c := range components {
		size += len(c) + 8
	}
	b := make([]byte, 0, size+len(m.TargetURI)*2)
	seen := make(map[string]bool, len(components))
	for _, c := range components {
		if c == componentSigParams {
			return nil, fmt.Errorf("%q cannot be a covered component", c)
		}
		if seen[c] {
			return nil, fmt.Errorf("component %q is listed twice", c)
		}
		seen[c] = true
		v, err := m.componentValue(c, &t)
		if err != nil {
			return nil, err
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, fmt.Errorf("component %q has a value with a line break or NUL", c)
		}
		b = append(b, '"')
		b = append(b, c...)
		b = append(b, `": `...)
		b = append(b, v...)
		b = append(b, '\n')
	}
	b = append(b, `"@signature-params": `...)
	b = append(b, sigParams...)
	return b, nil
}
