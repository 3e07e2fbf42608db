package document

import (
	"cmp"
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/gowebpki/jcs"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// Manifest is the desired-state manifest (UnsignedAppStateManifest) a WFM
// serves at GET .../deployments with Content-Type ManifestMediaType.
type Manifest struct {
	// ManifestVersion is in [1, 2^64-1] and strictly increases per client.
	ManifestVersion uint64 `json:"manifestVersion"`
	// Bundle is nil (serialised as null, never omitted) exactly when
	// Deployments is empty.
	Bundle      *BundleRef      `json:"bundle"`
	Deployments []DeploymentRef `json:"deployments"`
}

// BundleRef points at the tar.gz holding every deployment YAML.
type BundleRef struct {
	MediaType string `json:"mediaType"` // always BundleMediaType
	Digest    string `json:"digest"`
	// SizeBytes is advisory; never use it for integrity.
	SizeBytes uint64 `json:"sizeBytes,omitempty"`
	URL       string `json:"url"`
}

// DeploymentRef points at one deployment YAML.
type DeploymentRef struct {
	DeploymentID string `json:"deploymentId"`
	Digest       string `json:"digest"`
	// SizeBytes is advisory; never use it for integrity.
	SizeBytes uint64 `json:"sizeBytes,omitempty"`
	URL       string `json:"url"`
}

// Canonical returns the manifest as RFC 8785 (JCS) canonical JSON:
// deployments sorted by deploymentId, members sorted, no insignificant
// whitespace. Equal states give equal bytes, so the ETag (the digest of these
// bytes) only changes when the state does. It fails with an Internal error
// when the manifest breaks a rule of Validate.
func (m *Manifest) Canonical() ([]byte, error) {
	if vs := m.Validate(); len(vs) > 0 {
		return nil, (&fault.Error{Code: fault.Internal, Detail: "refusing to serialise an invalid manifest: " + summary(vs)}).WithViolations(vs)
	}
	c := Manifest{ManifestVersion: m.ManifestVersion, Bundle: m.Bundle, Deployments: slices.Clone(m.Deployments)}
	if c.Deployments == nil {
		c.Deployments = []DeploymentRef{}
	}
	slices.SortFunc(c.Deployments, func(a, b DeploymentRef) int { return cmp.Compare(a.DeploymentID, b.DeploymentID) })
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "encoding manifest")
	}
	out, err := jcs.Transform(b)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "canonicalising manifest")
	}
	return out, nil
}

// Validate checks the manifest rules that its Go type does not guarantee:
// version at least 1; bundle present iff there are deployments, with the
// bundle media type; every digest sha256:<64 lowercase hex>; deployment ids
// URL-safe and unique; every URL embedding its digest as its last path
// segment.
func (m *Manifest) Validate() []fault.Violation {
	var vs violations
	if m.ManifestVersion == 0 {
		vs.add("manifestVersion", "must be at least 1")
	}
	checkBundlePresence(&vs, m.Bundle != nil, len(m.Deployments))
	if b := m.Bundle; b != nil {
		bp := path("bundle")
		if b.MediaType != BundleMediaType {
			vs.add(bp.key("mediaType"), "must be %s (got %s)", quoteValue(BundleMediaType), quoteValue(b.MediaType))
		}
		checkDigest(&vs, bp.key("digest"), b.Digest)
		checkURL(&vs, bp.key("url"), b.URL, b.Digest)
	}
	for i, d := range m.Deployments {
		dp := path("deployments").index(i)
		if !IsURLSafeID(d.DeploymentID) {
			vs.add(dp.key("deploymentId"), "must be non-empty, use only RFC 3986 unreserved characters and not be . or .. (got %s)", quoteValue(d.DeploymentID))
		}
		checkDigest(&vs, dp.key("digest"), d.Digest)
		checkURL(&vs, dp.key("url"), d.URL, d.Digest)
	}
	checkDuplicateIDs(&vs, m.Deployments)
	return normalize(vs)
}

// ParseManifest parses and validates a manifest on the device side. It
// rejects, listing every problem (422): a missing, zero, negative, fractional
// or exponent-written manifestVersion; a missing bundle (it must be present,
// possibly null); a null bundle with deployments or a bundle without them; a
// bundle media type other than BundleMediaType; any digest that is not
// sha256:<64 lowercase hex> (an unsupported algorithm invalidates the whole
// manifest); duplicate deployment ids; URLs whose last path segment is not
// their digest. sizeBytes is advisory: any unsigned integer is accepted.
//
// Checking that manifestVersion increased is the caller's job.
func ParseManifest(b []byte) (*Manifest, error) {
	raw, vs, err := decodeBody(b, "manifest")
	if err != nil {
		return nil, err
	}
	return finish(b, raw, vs, schemaManifest, func(m *Manifest, raw any, vs *violations) {
		if v, ok := member(raw, "manifestVersion"); ok {
			checkUint64Literal(vs, v, "manifestVersion")
		}
		bundle, hasBundle := member(raw, "bundle")
		if v, ok := member(bundle, "sizeBytes"); ok {
			checkUint64Literal(vs, v, "bundle.sizeBytes")
		}
		deployments, _ := member(raw, "deployments")
		list, _ := deployments.([]any)
		for i, d := range list {
			if v, ok := member(d, "sizeBytes"); ok {
				checkUint64Literal(vs, v, path("deployments").index(i).key("sizeBytes"))
			}
		}
		if _, isObj := raw.(map[string]any); !isObj || !hasBundle || deployments == nil {
			return // the schema reported the missing members
		}
		checkBundlePresence(vs, bundle != nil, len(list))
		if m.Bundle != nil {
			checkURL(vs, "bundle.url", m.Bundle.URL, m.Bundle.Digest)
		}
		for i, d := range m.Deployments {
			checkURL(vs, path("deployments").index(i).key("url"), d.URL, d.Digest)
		}
		checkDuplicateIDs(vs, m.Deployments)
	})
}

// checkBundlePresence enforces "bundle is null iff deployments is empty".
func checkBundlePresence(vs *violations, hasBundle bool, deployments int) {
	switch {
	case !hasBundle && deployments > 0:
		vs.add("bundle", "must not be null when there are deployments")
	case hasBundle && deployments == 0:
		vs.add("bundle", "must be null when there are no deployments (an empty archive is forbidden)")
	}
}

// checkDigest reports a malformed digest.
func checkDigest(vs *violations, p path, d string) {
	if !IsDigest(d) {
		vs.add(p, "must be a digest: sha256: followed by 64 lowercase hex digits (got %s)", quoteValue(d))
	}
}

// checkURL reports a URL whose last path segment is not digest. Relative and
// absolute references are both accepted; the fetcher resolves them against
// the WFM base URL. Nothing is reported for an empty URL or digest, or for a
// malformed digest: those have their own violations.
func checkURL(vs *violations, p path, ref, digest string) {
	if ref == "" || !IsDigest(digest) {
		return
	}
	u, err := url.Parse(ref)
	if err != nil {
		vs.add(p, "is not a valid URL reference: %v", err)
		return
	}
	segs := strings.Split(u.Path, "/")
	if segs[len(segs)-1] != digest {
		vs.add(p, "must end with its digest %s as the last path segment (got %s)", digest, quoteValue(ref))
	}
}

// checkDuplicateIDs reports deployment ids that appear more than once.
func checkDuplicateIDs(vs *violations, ds []DeploymentRef) {
	seen := make(map[string]int, len(ds))
	for i, d := range ds {
		if d.DeploymentID == "" {
			continue
		}
		if first, dup := seen[d.DeploymentID]; dup {
			vs.add(path("deployments").index(i).key("deploymentId"), "duplicates deployments[%d]: %s", first, quoteValue(d.DeploymentID))
			continue
		}
		seen[d.DeploymentID] = i
	}
}

// IsDeviceID reports whether s is a device id: id(/id)*, each id
// IsURLSafeID (a gateway's child is "gateway/child").
func IsDeviceID(s string) bool {
	for seg := range strings.SplitSeq(s, "/") {
		if !IsURLSafeID(seg) {
			return false
		}
	}
	return true
}

// IsURLSafeID reports whether s is non-empty, only RFC 3986 unreserved
// characters, and not a dot segment: an id that needs no escaping in a URL
// path (deploymentId, clientId).
func IsURLSafeID(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}
