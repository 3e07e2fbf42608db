package miaf

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/spiffebundle"
	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
)

// BundleMediaType is the media type of a trust bundle (a JWK Set).
const BundleMediaType = "application/json"

// DefaultBundlePath is where a Margo Identity Service serves its bundle.
const DefaultBundlePath = "/.well-known/spiffe/bundle.json"

// DiscoveryPath is the Margo Identity Service's discovery document.
const DiscoveryPath = "/.well-known/margo"

// Bundle is a trust domain's X.509 trust bundle: its anchors, sequence
// number and refresh hint. A client replaces its bundle with a newer one,
// never merges them.
type Bundle struct {
	b *spiffebundle.Bundle
}

// NewBundle returns the bundle of td with the given anchors.
func NewBundle(td spiffeid.TrustDomain, sequence uint64, refreshHint time.Duration, anchors []*x509.Certificate) *Bundle {
	b := spiffebundle.FromX509Authorities(td, anchors)
	b.SetSequenceNumber(sequence)
	b.SetRefreshHint(refreshHint)
	return &Bundle{b: b}
}

// ParseBundle reads a SPIFFE JWK Set for td. A bundle without any X.509
// anchor is refused (fail closed), as is anything but a JWK Set.
func ParseBundle(td spiffeid.TrustDomain, data []byte) (*Bundle, error) {
	if !json.Valid(data) {
		return nil, fmt.Errorf("miaf: the trust bundle is not JSON")
	}
	b, err := spiffebundle.Parse(td, data)
	if err != nil {
		return nil, fmt.Errorf("miaf: %w", err)
	}
	if len(b.X509Authorities()) == 0 {
		return nil, fmt.Errorf("miaf: the trust bundle of %s has no X.509 anchor (use \"x509-svid\"): refusing it", td)
	}
	return &Bundle{b: b}, nil
}

// Marshal returns the JWK Set.
func (b *Bundle) Marshal() ([]byte, error) { return b.b.Marshal() }

// TrustDomain is the bundle's trust domain.
func (b *Bundle) TrustDomain() spiffeid.TrustDomain { return b.b.TrustDomain() }

// Anchors are the bundle's X.509 authorities.
func (b *Bundle) Anchors() []*x509.Certificate { return b.b.X509Authorities() }

// Sequence is the bundle's spiffe_sequence (0 when absent).
func (b *Bundle) Sequence() uint64 { n, _ := b.b.SequenceNumber(); return n }

// RefreshHint is the bundle's spiffe_refresh_hint (0 when absent).
func (b *Bundle) RefreshHint() time.Duration { d, _ := b.b.RefreshHint(); return d }

// X509Bundle is the bundle as go-spiffe's X.509 bundle (for verification).
func (b *Bundle) X509Bundle() *x509bundle.Bundle { return b.b.X509Bundle() }

// Pool returns the anchors as a certificate pool.
func (b *Bundle) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range b.Anchors() {
		p.AddCert(c)
	}
	return p
}

// Discovery is the document at /.well-known/margo.
type Discovery struct {
	TrustDomain    string `json:"trustDomain"`
	TrustBundleURI string `json:"trustBundleUri"`
}

// ParseDiscovery reads a discovery document: the trust domain must be
// one, and the bundle URI https (or a path, resolved against the MIS).
func ParseDiscovery(data []byte) (Discovery, spiffeid.TrustDomain, error) {
	var d Discovery
	if err := json.Unmarshal(data, &d); err != nil {
		return Discovery{}, spiffeid.TrustDomain{}, fmt.Errorf("miaf: the discovery document is not JSON: %w", err)
	}
	td, err := spiffeid.TrustDomainFromString(d.TrustDomain)
	if err != nil {
		return Discovery{}, spiffeid.TrustDomain{}, fmt.Errorf("miaf: trustDomain %q: %w", d.TrustDomain, err)
	}
	if !strings.HasPrefix(d.TrustBundleURI, "https://") && !strings.HasPrefix(d.TrustBundleURI, "/") {
		return Discovery{}, spiffeid.TrustDomain{}, fmt.Errorf("miaf: trustBundleUri %q must be https", d.TrustBundleURI)
	}
	return d, td, nil
}
