package sync

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// Defaults of the config.
const (
	DefaultIdentityDir    = "var/agent"
	DefaultPollInterval   = 15 * time.Second
	DefaultBackoffMax     = 5 * time.Minute
	DefaultRequestTimeout = 30 * time.Second
	DefaultApplyTimeout   = 10 * time.Minute
	DefaultStatusQueueMax = 1000
	DefaultErrorHistory   = 100
	DefaultStoragePath    = "/"
)

// Device API profiles of the agent (config profile).
const (
	ProfileP1  = "p1"   // onboarding, RFC 9421 signatures over server TLS
	ProfileRC3 = "rc.3" // MIAF: mutual TLS with an operator-issued X.509-SVID
)

// Config is the "config" of managers.sync.
type Config struct {
	// Profile is the device API profile: "p1" (default) or "rc.3".
	Profile string `json:"profile"`
	// WFM says where the fleet manager is and how to trust it.
	WFM WFMConfig `json:"wfm"`
	// Identity locates the device's key and certificate.
	Identity IdentityConfig `json:"identity"`
	// Device overrides or adds to what the agent discovers about the host.
	Device DeviceConfig `json:"device"`
	// PollInterval is the polling rate of the desired-state manifest (default 15s).
	PollInterval config.Duration `json:"pollInterval"`
	// PollingHours are the local-time windows in which polling may run;
	// empty means always.
	PollingHours []Window `json:"pollingHours,omitempty"`
	// Downtime windows: no communication with the WFM at all, and
	// communication errors are ignored.
	Downtime []Window `json:"downtime,omitempty"`
	// BackoffMax caps the delay between retries after failures (default 5m).
	BackoffMax config.Duration `json:"backoffMax"`
	// ApplyTimeout bounds the install of one component whose deployment
	// sets no timeout (default 10m).
	ApplyTimeout config.Duration `json:"applyTimeout"`
	// StatusQueueMax bounds the status reports kept while the WFM is
	// unreachable (default 1000); when full, superseded reports go first.
	StatusQueueMax int `json:"statusQueueMax"`
	// ErrorHistory is how many recent errors the local API shows (default 100).
	ErrorHistory int `json:"errorHistory"`
	// CapabilitiesShape is the DeviceCapabilitiesManifest layout sent:
	// "flat" (the later P1 layout, which also reports
	// supportedDeploymentTypes from the bound workload providers),
	// "resources" (the first P1 layout) or "auto" (default: flat when
	// device.otelCollector is true, resources otherwise).
	CapabilitiesShape string `json:"capabilitiesShape"`
	// Strict refuses a manifest whose ETag is not the digest of its body.
	// Off (the default), the ETag is a cache validator (RFC 9110): a
	// mismatch is logged and counted, and integrity rests on the digests
	// of the YAMLs and bundles, which are always checked.
	Strict bool `json:"strict,omitempty"`
}

// WFMConfig is the fleet manager's address and trust.
type WFMConfig struct {
	// URL is the device API base including its prefix, e.g.
	// "https://127.0.0.1:8443/api/v1". Required.
	URL string `json:"url"`
	// CAFile is the WFM's root CA (PEM). Default <identity.dir>/wfm-ca.pem;
	// in rc.3 the trust bundle's anchors the agent starts from (the pinned
	// CA it trusts the identity service with), default
	// <identity.dir>/svid-ca.pem.
	CAFile string `json:"caFile"`
	// IdentityService (rc.3) is the Margo Identity Service's discovery URL
	// (https). Default: /.well-known/margo on the WFM's host.
	IdentityService string `json:"identityService,omitempty"`
	// TrustOnFirstUse allows fetching the CA from /onboarding/certificate
	// when CAFile does not exist yet; it is then written to CAFile (pinned).
	TrustOnFirstUse bool `json:"trustOnFirstUse"`
	// RequestTimeout bounds one request to the WFM (default 30s).
	RequestTimeout config.Duration `json:"requestTimeout"`
	// PrefixArtifactPaths resolves a manifest URL that is an absolute path
	// not under the path of URL beneath it (WFMs mounted under a prefix
	// that emit URLs without it). Off: RFC 3986 resolution, the default.
	PrefixArtifactPaths bool `json:"prefixArtifactPaths,omitempty"`
}

// IdentityConfig locates the device identity files.
type IdentityConfig struct {
	// Dir holds the identity files the agent creates (default "var/agent").
	Dir string `json:"dir"`
	// Key is the PEM private key (ECDSA P-256, created mode 0600 when
	// absent). Default <dir>/device-key.pem.
	Key string `json:"key"`
	// Cert is the PEM certificate (self-signed when created). Default
	// <dir>/device-cert.pem.
	Cert string `json:"cert"`
	// SVIDCert and SVIDKey (rc.3) are the client's X.509-SVID and its key
	// (PEM), as `cadenza identity issue ID --out DIR` writes them; re-read
	// when they change, so a renewed SVID needs no restart. Default
	// <dir>/svid-cert.pem and <dir>/svid-key.pem.
	SVIDCert string `json:"svidCert,omitempty"`
	SVIDKey  string `json:"svidKey,omitempty"`
	// Algorithm is the RFC 9421 algorithm requests are signed with:
	// rsa-v1_5-sha256, rsa-pss-sha256, rsa-pss-sha512 (RSA keys),
	// ecdsa-p256-sha256 or ecdsa-p384-sha384 (ECDSA keys); checked against
	// the key at start. Default: from the key (RSA signs rsa-pss-sha512).
	Algorithm string `json:"algorithm,omitempty"`
}

// DeviceConfig overrides or adds to the discovered capabilities.
type DeviceConfig struct {
	// ID is the device id reported with the capabilities (default: the clientId).
	ID string `json:"id,omitempty"`
	// Vendor, Model and Serial default to the DMI data of the host, else "unknown".
	Vendor string `json:"vendor,omitempty"`
	Model  string `json:"model,omitempty"`
	Serial string `json:"serial,omitempty"`
	// Roles default to ["Standalone Device"].
	Roles []string `json:"roles,omitempty"`
	// Cores and Architecture override the discovered CPU.
	Cores        float64 `json:"cores,omitempty"`
	Architecture string  `json:"architecture,omitempty"`
	// Memory and Storage override the discovered capacity ("8Gi", "64Gi").
	Memory  string `json:"memory,omitempty"`
	Storage string `json:"storage,omitempty"`
	// StoragePath is the file system whose size is reported (default "/").
	StoragePath string `json:"storagePath,omitempty"`
	// Peripherals and Interfaces are added to the discovered ones.
	Peripherals []document.Peripheral `json:"peripherals,omitempty"`
	Interfaces  []document.Interface  `json:"interfaces,omitempty"`
	// Labels are reported as the capabilities' labels.
	Labels map[string]any `json:"labels,omitempty"`
	// OTelCollector says whether an OpenTelemetry collector receives the
	// workloads' telemetry on this device (reported as otelCollector in the
	// flat layout, where the spec requires true for a workload-hosting
	// device). The agent does not run one itself: set it to true when you
	// run one.
	OTelCollector *bool `json:"otelCollector,omitempty"`
}

// Defaults fills the defaults before the host decodes the config.
func (c *Config) Defaults() {
	c.PollInterval = config.Duration(DefaultPollInterval)
	c.BackoffMax = config.Duration(DefaultBackoffMax)
	c.ApplyTimeout = config.Duration(DefaultApplyTimeout)
	c.StatusQueueMax = DefaultStatusQueueMax
	c.ErrorHistory = DefaultErrorHistory
	c.WFM.RequestTimeout = config.Duration(DefaultRequestTimeout)
	c.Identity.Dir = DefaultIdentityDir
	c.CapabilitiesShape = ShapeAuto
}

// fillPaths derives the file defaults from the identity dir.
func (c *Config) fillPaths() {
	if c.Identity.Dir == "" {
		c.Identity.Dir = DefaultIdentityDir
	}
	if c.Identity.Key == "" {
		c.Identity.Key = filepath.Join(c.Identity.Dir, "device-key.pem")
	}
	if c.Identity.Cert == "" {
		c.Identity.Cert = filepath.Join(c.Identity.Dir, "device-cert.pem")
	}
	if c.Profile == "" {
		c.Profile = ProfileP1
	}
	if c.WFM.CAFile == "" {
		c.WFM.CAFile = filepath.Join(c.Identity.Dir, "wfm-ca.pem")
		if c.Profile == ProfileRC3 {
			c.WFM.CAFile = filepath.Join(c.Identity.Dir, "svid-ca.pem")
		}
	}
	if c.Identity.SVIDCert == "" {
		c.Identity.SVIDCert = filepath.Join(c.Identity.Dir, "svid-cert.pem")
	}
	if c.Identity.SVIDKey == "" {
		c.Identity.SVIDKey = filepath.Join(c.Identity.Dir, "svid-key.pem")
	}
	if c.WFM.IdentityService == "" {
		if u, err := url.Parse(c.WFM.URL); err == nil && u.Host != "" {
			c.WFM.IdentityService = "https://" + u.Host + "/.well-known/margo"
		}
	}
	if c.Device.StoragePath == "" {
		c.Device.StoragePath = DefaultStoragePath
	}
}

// Validate checks the config without touching files or the network.
func (c *Config) Validate() error {
	c.fillPaths()
	var errs config.Errors
	add := func(path, format string, args ...any) { errs = append(errs, config.Field(path, format, args...)) }
	if u, err := url.Parse(c.WFM.URL); c.WFM.URL == "" || err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		add("wfm.url", `required: the WFM device API base URL including its prefix, e.g. "https://127.0.0.1:8443/api/v1"`)
	} else if u.Scheme != "https" {
		add("wfm.url", "must be https: the Margo device API runs over TLS 1.3")
	}
	switch c.Profile {
	case ProfileP1:
	case ProfileRC3:
		if c.WFM.TrustOnFirstUse {
			add("wfm.trustOnFirstUse", "rc.3 never trusts on first use: put the trust bundle's anchors in wfm.caFile (cadenza identity issue writes svid-ca.pem)")
		}
		if c.Device.OTelCollector == nil || !*c.Device.OTelCollector {
			add("device.otelCollector", "rc.3 capabilities require true on a workload-hosting device (the spec requires an OpenTelemetry collector there): run one and set true")
		}
		if u, err := url.Parse(c.WFM.IdentityService); err != nil || u.Scheme != "https" || u.Host == "" {
			add("wfm.identityService", "must be an https URL (the identity service's /.well-known/margo)")
		}
	default:
		add("profile", "%q is not a profile: use %q or %q", c.Profile, ProfileP1, ProfileRC3)
	}
	if c.WFM.RequestTimeout.D() < 100*time.Millisecond {
		add("wfm.requestTimeout", "must be at least 100ms, got %s", c.WFM.RequestTimeout)
	}
	if c.PollInterval.D() < 10*time.Millisecond {
		add("pollInterval", "must be at least 10ms, got %s", c.PollInterval)
	}
	if c.BackoffMax.D() < c.PollInterval.D() {
		add("backoffMax", "must be at least pollInterval (%s), got %s", c.PollInterval, c.BackoffMax)
	}
	if c.ApplyTimeout.D() < time.Second {
		add("applyTimeout", "must be at least 1s, got %s", c.ApplyTimeout)
	}
	if c.StatusQueueMax < 10 {
		add("statusQueueMax", "must be at least 10, got %d", c.StatusQueueMax)
	}
	if c.ErrorHistory < 1 || c.ErrorHistory > 10000 {
		add("errorHistory", "must be between 1 and 10000, got %d", c.ErrorHistory)
	}
	for i := range c.PollingHours {
		if err := c.PollingHours[i].check(); err != nil {
			add(fmt.Sprintf("pollingHours[%d]", i), "%v", err)
		}
	}
	for i := range c.Downtime {
		if err := c.Downtime[i].check(); err != nil {
			add(fmt.Sprintf("downtime[%d]", i), "%v", err)
		}
	}
	if c.Identity.Algorithm != "" {
		switch c.Identity.Algorithm {
		case signature.AlgRSAV15SHA256, signature.AlgRSAPSSSHA256, signature.AlgRSAPSSSHA512, signature.AlgECDSAP256SHA256, signature.AlgECDSAP384SHA384:
		default:
			add("identity.algorithm", "%q is not a signature algorithm: use %s, %s, %s, %s or %s", c.Identity.Algorithm,
				signature.AlgRSAV15SHA256, signature.AlgRSAPSSSHA256, signature.AlgRSAPSSSHA512, signature.AlgECDSAP256SHA256, signature.AlgECDSAP384SHA384)
		}
	}
	switch c.CapabilitiesShape {
	case "":
		c.CapabilitiesShape = ShapeAuto
	case ShapeAuto, ShapeResources:
	case ShapeFlat:
		if c.Device.OTelCollector == nil || !*c.Device.OTelCollector {
			add("device.otelCollector", `the flat capabilities layout requires true on a workload-hosting device (the spec requires an OpenTelemetry collector there): run one and set true, or use "capabilitiesShape": %q`, ShapeResources)
		}
	default:
		add("capabilitiesShape", "%q is not a layout: use %q (flat when device.otelCollector is true), %q (the later P1 layout) or %q (the first)", c.CapabilitiesShape, ShapeAuto, ShapeFlat, ShapeResources)
	}
	errs = append(errs, c.Device.check()...)
	return errs.Err()
}

// check validates the device overrides.
func (d *DeviceConfig) check() config.Errors {
	var errs config.Errors
	add := func(path, format string, args ...any) {
		errs = append(errs, config.Field("device."+path, format, args...))
	}
	if d.ID != "" && !document.IsDeviceID(d.ID) {
		add("id", "%q is not a device id: use letters, digits and - . _ ~ (segments joined by /)", d.ID)
	}
	for i, r := range d.Roles {
		if !slices.Contains([]string{document.RoleStandaloneCluster, document.RoleClusterLeader, document.RoleStandaloneDevice, document.RoleGateway}, r) {
			add(fmt.Sprintf("roles[%d]", i), "%q is not a Margo role: use %q, %q, %q or %q", r,
				document.RoleStandaloneDevice, document.RoleStandaloneCluster, document.RoleClusterLeader, document.RoleGateway)
		}
	}
	if d.Cores < 0 {
		add("cores", "must be positive")
	}
	switch d.Architecture {
	case "", "amd64", "x86_64", "arm64", "arm":
	default:
		add("architecture", "%q is not a Margo architecture: use amd64, arm64 or arm", d.Architecture)
	}
	for name, q := range map[string]string{"memory": d.Memory, "storage": d.Storage} {
		if q != "" && !validQuantity(q) {
			add(name, "%q is not a quantity such as \"8Gi\" (units Ki, Mi, Gi, Ti, Pi, Ei)", q)
		}
	}
	for i, p := range d.Peripherals {
		if !slices.Contains([]string{"gpu", "display", "camera", "microphone", "speaker"}, p.Type) {
			add(fmt.Sprintf("peripherals[%d].type", i), "%q is not gpu, display, camera, microphone or speaker", p.Type)
		}
	}
	for i, n := range d.Interfaces {
		if !slices.Contains([]string{"ethernet", "wifi", "cellular", "bluetooth", "usb", "canbus", "rs232"}, n.Type) {
			add(fmt.Sprintf("interfaces[%d].type", i), "%q is not ethernet, wifi, cellular, bluetooth, usb, canbus or rs232", n.Type)
		}
	}
	return errs
}

// validQuantity reports whether q is a Margo quantity: digits, an optional
// fraction and a binary unit.
func validQuantity(q string) bool {
	for _, unit := range []string{"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"} {
		if n, ok := strings.CutSuffix(q, unit); ok {
			n = strings.TrimSuffix(n, " ")
			whole, frac, hasFrac := strings.Cut(n, ".")
			return allDigits(whole) && (!hasFrac || allDigits(frac))
		}
	}
	return false
}

func allDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}
