package fleet

import (
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// Events the WFM's managers publish on the event bus (their "events"
// role) after a change is committed, and others consume: the topics and
// message types are the contract between them, so they live here. Every
// message is the JSON encoding of its event type. Delivery is at least
// once (pubsub.redis) or in process (pubsub.memory): consumers treat an
// event as a hint to re-read the records it names.
const (
	// TopicCapabilities carries CapabilitiesEvent (managers.capabilities).
	TopicCapabilities = "capabilities"
	// TopicDeployments carries DeploymentEvent (managers.deployment).
	TopicDeployments = "deployments"
	// TopicCatalog carries CatalogEvent (managers.catalog).
	TopicCatalog = "catalog"
)

// DeviceEventKind is what happened to a device's capabilities record.
type DeviceEventKind string

// Kinds of CapabilitiesEvent.
const (
	DeviceCreated DeviceEventKind = "created" // first capabilities report
	DeviceUpdated DeviceEventKind = "updated" // a later report that changed them
	DeviceLabeled DeviceEventKind = "labeled" // operator labels changed
	DeviceRemoved DeviceEventKind = "removed" // the device's record was deleted
)

// CapabilitiesEvent is published on TopicCapabilities after each change
// of a device's record.
type CapabilitiesEvent struct {
	ClientID string          `json:"clientId"`
	DeviceID string          `json:"deviceId"`
	Kind     DeviceEventKind `json:"kind"`
	Revision uint64          `json:"revision,omitempty"` // the record's revision (not for removed)
}

// DeploymentEventKind is what happened to a client's deployment.
type DeploymentEventKind string

// Kinds of DeploymentEvent.
const (
	DeploymentApplied DeploymentEventKind = "applied" // created or changed; a new manifest version
	DeploymentRemoved DeploymentEventKind = "removed" // dropped from the manifest; a new manifest version
	DeploymentStatus  DeploymentEventKind = "status"  // the device reported a status
)

// DeploymentEvent is published on TopicDeployments after each change of
// a client's deployments and each status report.
type DeploymentEvent struct {
	ClientID        string              `json:"clientId"`
	DeploymentID    string              `json:"deploymentId"`
	ManifestVersion uint64              `json:"manifestVersion,omitempty"` // applied and removed
	Kind            DeploymentEventKind `json:"kind"`
	State           document.State      `json:"state,omitempty"` // status
}

// CatalogEventKind is the outcome of a registry sync.
type CatalogEventKind string

// Kinds of CatalogEvent.
const (
	CatalogSynced CatalogEventKind = "synced" // fetched and applied (Added and Invalid tell what changed)
	CatalogFailed CatalogEventKind = "failed" // the fetch failed (Code tells why); the catalog is unchanged
)

// CatalogEvent is published on TopicCatalog after each sync of a registry.
type CatalogEvent struct {
	Registry string           `json:"registry"`
	Kind     CatalogEventKind `json:"kind"`
	Revision string           `json:"revision,omitempty"`
	Added    []string         `json:"added,omitempty"`   // id@version written by this sync
	Invalid  []string         `json:"invalid,omitempty"` // package dirs rejected
	Code     fault.Code       `json:"code,omitempty"`
}
