package oras

import (
	"path/filepath"
	"strings"

	"github.com/opencontainers/go-digest"
	"oras.land/oras-go/v2/registry"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// Reference schemes.
const (
	schemeOCI    = "oci://"
	schemeLayout = "oci-layout://"
)

// reference is a parsed pull reference.
type reference struct {
	// layout is the layout name for oci-layout:// references, "" for a
	// registry.
	layout string
	// sub is, for layouts, the directory below the layout holding the OCI
	// layout ("" for the layout directory itself).
	sub string
	// ref is the registry reference; for layouts only Reference is set.
	ref registry.Reference
}

// host is the registry host, or "oci-layout://NAME" for layouts (for
// messages).
func (r reference) host() string {
	if r.layout != "" {
		return schemeLayout + r.layout
	}
	return r.ref.Registry
}

// digest returns the digest a reference names, if it names one.
func (r reference) digest() (digest.Digest, bool) {
	d, err := digest.Parse(r.ref.Reference)
	return d, err == nil
}

// parseRef parses "oci://HOST/REPO:TAG", "oci://HOST/REPO@DIGEST", the same
// without "oci://", and "oci-layout://NAME[/SUB][:TAG|@DIGEST]".
func parseRef(s string) (reference, error) {
	if rest, ok := strings.CutPrefix(s, schemeLayout); ok {
		return parseLayoutRef(s, rest)
	}
	rest, ok := strings.CutPrefix(s, schemeOCI)
	if !ok && strings.Contains(s, "://") {
		return reference{}, fault.New(fault.BadRequest, "reference %q: unsupported scheme; use oci://HOST/REPO:TAG or oci-layout://NAME:TAG", s)
	}
	ref, err := registry.ParseReference(rest)
	if err != nil {
		return reference{}, fault.Wrap(err, fault.BadRequest, "reference %q is malformed (want oci://HOST/REPO:TAG or oci://HOST/REPO@sha256:HEX)", s)
	}
	if ref.Reference == "" {
		return reference{}, fault.New(fault.BadRequest, "reference %q names neither a tag nor a digest", s)
	}
	return reference{ref: ref}, nil
}

// parseLayoutRef parses the part of an oci-layout:// reference after the
// scheme.
func parseLayoutRef(s, rest string) (reference, error) {
	var path, ref string
	var isDigest bool
	if at := strings.Index(rest, "@"); at >= 0 {
		path, ref, isDigest = rest[:at], rest[at+1:], true
		if colon := strings.LastIndex(path, ":"); colon > strings.LastIndex(path, "/") {
			path = path[:colon] // NAME:TAG@DIGEST: the digest wins, as for registries
		}
	} else if colon := strings.LastIndex(rest, ":"); colon > strings.LastIndex(rest, "/") {
		path, ref = rest[:colon], rest[colon+1:]
	} else {
		return reference{}, fault.New(fault.BadRequest, "reference %q names neither a tag nor a digest", s)
	}
	name, sub, _ := strings.Cut(path, "/")
	if name == "" || (sub != "" && !filepath.IsLocal(sub)) {
		return reference{}, fault.New(fault.BadRequest, "reference %q: want oci-layout://NAME[/REPO]:TAG with NAME a configured layout and REPO a relative path inside it", s)
	}
	r := reference{layout: name, sub: sub, ref: registry.Reference{Reference: ref}}
	check := r.ref.ValidateReferenceAsTag
	if isDigest {
		check = r.ref.ValidateReferenceAsDigest
	}
	if err := check(); err != nil {
		return reference{}, fault.Wrap(err, fault.BadRequest, "reference %q is malformed", s)
	}
	return r, nil
}
