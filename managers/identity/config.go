package identity

import (
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/managers/authority"
	"github.com/cadenza-edge/cadenza/margo/miaf"
)

// Defaults of the config.
const (
	DefaultCAValidity   = 10 * 365 * 24 * time.Hour
	DefaultSVIDValidity = 24 * time.Hour
	DefaultRefreshHint  = 5 * time.Minute
	MinSVIDValidity     = 5 * time.Minute
	MaxSVIDValidity     = 90 * 24 * time.Hour
)

// Config is the config of managers.identity.
type Config struct {
	// TrustDomain is the SPIFFE trust domain, e.g. "plant.example". Required.
	TrustDomain string `json:"trustDomain"`
	// WFMID is the WFM's id in its SPIFFE ID spiffe://<td>/margo/wfm/<wfmId>
	// (default: the host's name).
	WFMID string `json:"wfmId,omitempty"`
	// CA, when set, is the trust domain CA's PEM files; otherwise one is
	// generated on the first start and kept in the state store.
	CA *authority.Files `json:"ca,omitempty"`
	// CAValidity is the lifetime of a generated CA (default 87600h).
	CAValidity config.Duration `json:"caValidity"`
	// SVIDValidity is the lifetime of an issued client SVID (default 24h):
	// short, so that rotation and retirement take effect soon.
	SVIDValidity config.Duration `json:"svidValidity"`
	// RefreshHint is the bundle's spiffe_refresh_hint (default 5m).
	RefreshHint config.Duration `json:"refreshHint"`
	// BundleFile, when set, is where the bundle's anchors are written (PEM)
	// at start: the file rc.3 clients and curl trust, e.g. "var/wfm/bundle.pem".
	BundleFile string `json:"bundleFile,omitempty"`
	// ServerCertificate, when set, makes the identity manager issue the
	// WFM's TLS server certificate from the trust domain CA: an SVID with
	// the WFM's SPIFFE ID (default spiffeId) as URI SAN and the hosts as
	// DNS/IP SANs, re-issued when the CA rotates. For a WFM that serves
	// rc.3 only; a WFM that also serves P1 has managers.onboarding issue it
	// (its P1 CA then joins the bundle). Configure it on one of them.
	ServerCertificate *authority.ServerCertificate `json:"serverCertificate,omitempty"`
}

// Defaults fills the defaults before the host decodes the config.
func (c *Config) Defaults() {
	c.CAValidity = config.Duration(DefaultCAValidity)
	c.SVIDValidity = config.Duration(DefaultSVIDValidity)
	c.RefreshHint = config.Duration(DefaultRefreshHint)
}

// Validate checks the config.
func (c *Config) Validate() error {
	var errs config.Errors
	add := func(path, format string, args ...any) { errs = append(errs, config.Field(path, format, args...)) }
	td, err := spiffeid.TrustDomainFromString(c.TrustDomain)
	if c.TrustDomain == "" {
		add("trustDomain", `required: the SPIFFE trust domain, e.g. "plant.example"`)
	} else if err != nil {
		add("trustDomain", "%q is not a trust domain name: %v", c.TrustDomain, err)
	}
	if c.WFMID != "" && err == nil {
		if _, idErr := (miaf.Identity{TrustDomain: td, WFM: c.WFMID}).ID(); idErr != nil {
			add("wfmId", "%v", idErr)
		}
	}
	if c.CA != nil && (c.CA.Cert == "" || c.CA.Key == "") {
		add("ca", `needs both "cert" and "key" (PEM files)`)
	}
	if d := c.SVIDValidity.D(); d < MinSVIDValidity || d > MaxSVIDValidity {
		add("svidValidity", "must be between %s and %s, got %s", MinSVIDValidity, MaxSVIDValidity, c.SVIDValidity)
	}
	if c.CAValidity.D() < 24*time.Hour {
		add("caValidity", "must be at least 24h, got %s", c.CAValidity)
	}
	if sc := c.ServerCertificate; sc != nil {
		errs = append(errs, sc.Check("serverCertificate")...)
	}
	if c.RefreshHint.D() < 10*time.Second {
		add("refreshHint", "must be at least 10s, got %s", c.RefreshHint)
	}
	return errs.Err()
}
