// Package fleet is the WFM's domain model: the records its managers keep
// (clients, devices, deployments, statuses, operator deployments, the
// application catalog) and the contracts between the managers that own
// them and the vendors that expose them (the Margo device API in
// vendors/margo, the operator API in vendors/fleet): Onboarding,
// Capabilities, Deployments, Rollouts and Catalog.
//
// These records are also the wire types of the operator API: the vendor
// encodes them and the typed client (package operator) decodes them.
//
// Managers implement these interfaces; vendors find them among their
// managers with module.Manager[fleet.Onboarding](env) and so on. Everything
// here is persisted through a state provider, so several WFM hosts sharing
// one store (state.redis) see the same fleet.
package fleet

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"time"

	"github.com/cadenza-edge/cadenza/margo/document"
)

// ClientState is where a client stands with the WFM.
type ClientState string

// Client states. Only approved clients may use the device API beyond
// onboarding; the others get 403.
const (
	ClientApproved ClientState = "approved"
	ClientPending  ClientState = "pending"  // waiting for an operator (policy "manual")
	ClientRejected ClientState = "rejected" // refused by an operator or the policy
	ClientRevoked  ClientState = "revoked"  // approved once, then revoked
)

// Client is an onboarded device client (one certificate, one clientId).
type Client struct {
	ID             string      `json:"clientId"`
	KeyID          string      `json:"keyId"` // lowercase hex SHA-256 of the certificate's DER SubjectPublicKeyInfo
	Subject        string      `json:"subject"`
	CertificatePEM string      `json:"certificate"`
	NotAfter       time.Time   `json:"notAfter"`
	State          ClientState `json:"state"`
	Created        time.Time   `json:"created"`
	Updated        time.Time   `json:"updated"`
	// LastSeen is when the client last made an authenticated device API
	// request, to within SeenResolution; zero before its first one.
	LastSeen time.Time `json:"lastSeen,omitzero"`
	// SPIFFEID is the client's rc.3 identity (an operator issued it an
	// X.509-SVID); empty for a P1 client.
	SPIFFEID string `json:"spiffeId,omitempty"`
	// Warnings are what onboarding accepted but an operator should know,
	// e.g. a self-signed CA certificate (cA=TRUE) used as a P1 client
	// certificate.
	Warnings []string `json:"warnings,omitempty"`
	// Certificate is the parsed certificate; not serialised.
	Certificate *x509.Certificate `json:"-"`
}

// Page selects a page of a listing (see state.ListOptions).
type Page struct {
	After string `json:"after,omitempty"`
	Limit int    `json:"limit,omitempty"`
}

// Onboarding owns the WFM's certificate authority and its clients.
type Onboarding interface {
	// CACertificate is the root CA that devices trust (GET /onboarding/certificate).
	CACertificate() *x509.Certificate
	// Onboard registers cert. The caller has already checked the request
	// signature against cert. It returns the client (the same one when cert
	// was onboarded before): ClientApproved or ClientPending per policy.
	// Errors: fault.BadRequest for an unusable certificate (shape, validity,
	// key type or size), fault.Forbidden when the policy refuses it.
	Onboard(ctx context.Context, cert *x509.Certificate) (Client, error)
	// Client returns a client with its parsed Certificate; fault.NotFound when unknown.
	Client(ctx context.Context, clientID string) (Client, error)
	// Clients lists clients in id order.
	Clients(ctx context.Context, page Page) ([]Client, string, error)
	// SetState is the operator's approve / reject / revoke.
	SetState(ctx context.Context, clientID string, state ClientState) (Client, error)
	// Enroll records the rc.3 client an operator issued the X.509-SVID svid
	// to, under the id the operator chose: a new client is approved (issuing
	// is the operator's approval); a known one gets the new certificate and
	// keeps its state. fault.Conflict for a client that is not approved
	// (revoked or rejected: approve it first); fault.BadRequest for an id
	// that cannot be a client id.
	Enroll(ctx context.Context, clientID string, svid *x509.Certificate) (Client, error)
	// Seen records that the client made an authenticated request at at (a
	// later LastSeen is kept). Callers call it only when the client's
	// LastSeen is SeenResolution or more older than at, so a polling fleet
	// costs one write per client per SeenResolution.
	Seen(ctx context.Context, clientID string, at time.Time) error
}

// SeenResolution is how precisely Client.LastSeen is kept.
const SeenResolution = time.Minute

// Device is the latest capabilities report of one device of a client.
type Device struct {
	ClientID     string          `json:"clientId"`
	DeviceID     string          `json:"deviceId"`
	Capabilities json.RawMessage `json:"capabilities"` // the document as the device sent it
	Reported     time.Time       `json:"reported"`
	Revision     uint64          `json:"revision"` // increases with every accepted report
	// Labels are the operator's labels of the device (SetLabels). A device's
	// effective labels are those it reports (capabilities.labels, P2)
	// overlaid with these.
	Labels map[string]any `json:"labels,omitempty"`
}

// CapabilitiesReport is one entry of a device's capabilities history.
type CapabilitiesReport struct {
	Reported     time.Time       `json:"reported"`
	Capabilities json.RawMessage `json:"capabilities"`
}

// Capabilities owns device capabilities.
type Capabilities interface {
	// Report stores a validated capabilities document for deviceID (the path
	// id; "" for the earliest P1 route, where properties.id names the device).
	// It returns whether the device was new. Errors: fault.NotFound for a
	// child device (gw/child) reported before its gateway, fault.Unprocessable
	// when properties.id does not match the path.
	Report(ctx context.Context, clientID, deviceID string, doc *document.DeviceCapabilitiesManifest, raw []byte) (created bool, err error)
	// Remove forgets a device; fault.NotFound when unknown.
	Remove(ctx context.Context, clientID, deviceID string) error
	// Device returns one device; fault.NotFound when unknown.
	Device(ctx context.Context, clientID, deviceID string) (Device, error)
	// Devices lists devices of clientID ("" = every client) in id order.
	Devices(ctx context.Context, clientID string, page Page) ([]Device, string, error)
	// History returns up to limit past reports, newest first.
	History(ctx context.Context, clientID, deviceID string, limit int) ([]CapabilitiesReport, error)
	// SetLabels applies a JSON merge patch (RFC 7396) to the operator's
	// labels of a device: a nil value removes the label. Values are a
	// string, number, boolean or a list of strings or numbers (the shapes
	// of reported labels). Errors: fault.NotFound for an unknown device,
	// fault.Unprocessable for bad keys or values (every violation listed).
	SetLabels(ctx context.Context, clientID, deviceID string, patch map[string]any) (Device, error)
}

// ManifestView is a client's current desired-state manifest, ready to serve.
type ManifestView struct {
	Version uint64
	Body    []byte // RFC 8785 canonical JSON
	ETag    string // "sha256:<hex of Body>" with the quotes
}

// Deployment is one ApplicationDeployment assigned to one client.
type Deployment struct {
	ClientID      string        `json:"clientId"`
	DeploymentID  string        `json:"deploymentId"`
	ApplicationID string        `json:"applicationId"`
	Name          string        `json:"name"`
	DeviceID      string        `json:"deviceId,omitempty"`
	Digest        string        `json:"digest"` // of the current YAML
	SizeBytes     uint64        `json:"sizeBytes"`
	Components    []string      `json:"components"`
	Deleted       bool          `json:"deleted,omitempty"` // removed from the manifest; kept until the device reports removed
	Created       time.Time     `json:"created"`
	Updated       time.Time     `json:"updated"`
	Status        *StatusReport `json:"status,omitempty"` // the latest report
}

// StatusReport is one deployment status report as received.
type StatusReport struct {
	Received time.Time       `json:"received"`
	State    document.State  `json:"state"`
	Report   json.RawMessage `json:"report"` // the DeploymentStatusManifest as the device sent it
}

// Deployments owns desired state: deployments, manifests, bundles, statuses.
type Deployments interface {
	// Manifest returns the client's current manifest (version 1 with no
	// deployments for a client that never had any). fault.NotFound never
	// happens for an onboarded client.
	Manifest(ctx context.Context, clientID string) (ManifestView, error)
	// DeploymentYAML returns the exact stored bytes whose digest is digest;
	// fault.NotFound when the server cannot serve exactly that.
	DeploymentYAML(ctx context.Context, clientID, deploymentID, digest string) ([]byte, error)
	// Bundle returns the exact bundle bytes whose digest is digest; fault.NotFound otherwise.
	Bundle(ctx context.Context, clientID, digest string) ([]byte, error)
	// ReportStatus stores a validated status report. Errors: fault.NotFound
	// for a deployment the client never had, fault.Unprocessable when the
	// components do not match the deployment's (every violation listed).
	ReportStatus(ctx context.Context, clientID, deploymentID string, status *document.DeploymentStatusManifest, raw []byte) error

	// Apply assigns an ApplicationDeployment YAML to a client, creating or
	// replacing the deployment with the same id. When the document has no
	// id the WFM assigns one (a UUIDv4 written into metadata.annotations.id).
	// Errors: fault.BadRequest / fault.Unprocessable for an invalid document.
	Apply(ctx context.Context, clientID string, yaml []byte) (Deployment, error)
	// Remove takes a deployment out of the client's manifest; the device
	// then uninstalls it. fault.NotFound when unknown.
	Remove(ctx context.Context, clientID, deploymentID string) error
	// Deployment returns one deployment; fault.NotFound when unknown.
	Deployment(ctx context.Context, clientID, deploymentID string) (Deployment, error)
	// List lists a client's deployments ("" = every client), in id order.
	List(ctx context.Context, clientID string, page Page) ([]Deployment, string, error)
	// Statuses returns up to limit past status reports, newest first.
	Statuses(ctx context.Context, clientID, deploymentID string, limit int) ([]StatusReport, error)
	// Forget drops everything kept for a client that will never come back.
	Forget(ctx context.Context, clientID string) error
	// Purge forgets one deployment now (out of the manifest, record, YAMLs
	// and statuses deleted), for a device that will never report it
	// removed. fault.NotFound when unknown.
	Purge(ctx context.Context, clientID, deploymentID string) error
	// Document returns a deployment's current ApplicationDeployment YAML,
	// the exact bytes the device fetches. fault.NotFound when unknown.
	Document(ctx context.Context, clientID, deploymentID string) ([]byte, error)
}
