package miaf

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
)

// Identity is a Margo SPIFFE ID taken apart: a WFM's
// (spiffe://<td>/margo/wfm/<wfm-id>) when Client is empty, otherwise one
// of its clients' (spiffe://<td>/margo/wfm/<wfm-id>/client/<client-id>).
type Identity struct {
	TrustDomain spiffeid.TrustDomain
	WFM         string
	Client      string
}

// IsClient reports whether the identity is a WFM client's.
func (i Identity) IsClient() bool { return i.Client != "" }

// ID returns the SPIFFE ID.
func (i Identity) ID() (spiffeid.ID, error) {
	segs := []string{"margo", "wfm", i.WFM}
	if i.Client != "" {
		segs = append(segs, "client", i.Client)
	}
	for _, s := range segs[2:] {
		if !validSegment(s) {
			return spiffeid.ID{}, fmt.Errorf("miaf: %q is not a valid id segment: use letters, digits, - . and _, not . or ..", s)
		}
	}
	if i.TrustDomain.IsZero() {
		return spiffeid.ID{}, errors.New("miaf: no trust domain")
	}
	return spiffeid.FromSegments(i.TrustDomain, segs...)
}

// String is the SPIFFE ID, or a description of what is wrong with it.
func (i Identity) String() string {
	id, err := i.ID()
	if err != nil {
		return err.Error()
	}
	return id.String()
}

// WFMIdentity returns the identity of the WFM that a client identity
// belongs to (the client's own identity without its client part).
func (i Identity) WFMIdentity() Identity { return Identity{TrustDomain: i.TrustDomain, WFM: i.WFM} }

// Parse takes apart a Margo SPIFFE ID. It refuses anything but the exact
// two shapes (segments compared exactly, no trailing or empty segments).
func Parse(s string) (Identity, error) {
	id, err := spiffeid.FromString(s)
	if err != nil {
		return Identity{}, fmt.Errorf("miaf: %q is not a SPIFFE ID: %w", s, err)
	}
	return FromID(id)
}

// FromID takes apart a parsed SPIFFE ID (see Parse).
func FromID(id spiffeid.ID) (Identity, error) {
	segs := strings.Split(strings.TrimPrefix(id.Path(), "/"), "/")
	bad := func() (Identity, error) {
		return Identity{}, fmt.Errorf("miaf: %s is not a Margo WFM or client ID (spiffe://<trust-domain>/margo/wfm/<wfm-id>[/client/<client-id>])", id)
	}
	if len(segs) != 3 && len(segs) != 5 || segs[0] != "margo" || segs[1] != "wfm" || !validSegment(segs[2]) {
		return bad()
	}
	out := Identity{TrustDomain: id.TrustDomain(), WFM: segs[2]}
	if len(segs) == 5 {
		if segs[3] != "client" || !validSegment(segs[4]) {
			return bad()
		}
		out.Client = segs[4]
	}
	return out, nil
}

// validSegment reports whether s is a non-empty run of RFC 3986 unreserved
// characters other than "." and "..", without "~": Margo allows the
// unreserved set, but a SPIFFE ID path does not (letters, digits, - . _),
// and every Margo ID is a SPIFFE ID.
func validSegment(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_':
		default:
			return false
		}
	}
	return true
}
