package fleet

import (
	"context"
	"time"

	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/eligibility"
)

// RolloutSpec is what an operator asks for: one version of a catalog
// application, deployed with parameter values to a set of devices. The
// operator API calls a rollout a "deployment"; each targeted device gets
// its own ApplicationDeployment (a fleet.Deployment).
type RolloutSpec struct {
	// ID names the rollout ([a-z0-9-], 1 to 63, starting and ending with a
	// letter or digit); generated from the application id when empty.
	ID          string `json:"id,omitempty"`
	Application string `json:"application"`
	// Version is the application version; the catalog's latest when empty
	// at creation.
	Version string `json:"version,omitempty"`
	// Profile is the deployment profile id; empty = for each device, the
	// first of the application's profiles that the device is eligible for.
	Profile string `json:"profile,omitempty"`
	// Namespace is metadata.namespace of the rendered documents.
	Namespace string `json:"namespace,omitempty"`
	// Parameters are values by parameter name; a parameter left out takes
	// its default from the application description.
	Parameters map[string]any `json:"parameters,omitempty"`
	Target     Target         `json:"target"`
}

// Target selects devices: every listed device, and every device whose
// effective labels Selector matches and whose reported capability
// properties Capabilities matches (either may be left out; at least one of
// Devices, Selector and Capabilities is given).
type Target struct {
	Devices  []DeviceRef                `json:"devices,omitempty"`
	Selector *eligibility.LabelSelector `json:"selector,omitempty"`
	// Capabilities are property expressions (RFC 6901 pointers into the
	// capabilities' properties, the spec's operators), e.g. every device
	// with a GPU: {key: /peripherals, operator: ContainsAll, itemSelector: ...}.
	Capabilities *application.Selector `json:"capabilities,omitempty"`
}

// DeviceRef names a device; an empty DeviceID names every device of the client.
type DeviceRef struct {
	ClientID string `json:"clientId"`
	DeviceID string `json:"deviceId,omitempty"`
}

// RolloutPatch changes a rollout; nil members stay as they are, given ones
// replace the current value (Parameters as a whole).
type RolloutPatch struct {
	Version    *string         `json:"version,omitempty"`
	Profile    *string         `json:"profile,omitempty"`
	Parameters *map[string]any `json:"parameters,omitempty"`
	Target     *Target         `json:"target,omitempty"`
	// IfGeneration, when not 0, makes the update conditional: it fails
	// with fault.PreconditionFailed unless the rollout is at this
	// generation (the operator API's If-Match).
	IfGeneration uint64 `json:"-"`
}

// Rollout is a rollout as stored, with its summary when read one by one.
type Rollout struct {
	RolloutSpec
	// Generation increases with every change of the spec.
	Generation uint64 `json:"generation"`
	// Deleting is set once the operator deleted the rollout: its devices
	// are removing their deployments; the rollout goes when they all have.
	Deleting bool            `json:"deleting,omitempty"`
	Created  time.Time       `json:"created"`
	Updated  time.Time       `json:"updated"`
	Summary  *RolloutSummary `json:"summary,omitempty"`
}

// RolloutSummary counts a rollout's devices. States (by deployment state
// as last reported; "pending" until a first report) is filled when one
// rollout is read, not in listings.
type RolloutSummary struct {
	Devices    int            `json:"devices"`
	Assigned   int            `json:"assigned"`
	Ineligible int            `json:"ineligible"`
	States     map[string]int `json:"states,omitempty"`
}

// RolloutFilter selects rollouts; empty members select everything.
type RolloutFilter struct {
	Application string // of this application
	ClientID    string // targeting a device of this client (as of the last render)
}

// Placement is where a rollout stands on one targeted device.
type Placement struct {
	ClientID string `json:"clientId"`
	DeviceID string `json:"deviceId"`
	// Eligible tells whether the device got a deployment; Reason says why not.
	Eligible     bool           `json:"eligible"`
	Profile      string         `json:"profile,omitempty"`
	DeploymentID string         `json:"deploymentId,omitempty"`
	Digest       string         `json:"digest,omitempty"`
	State        document.State `json:"state,omitempty"`
	Reason       string         `json:"reason,omitempty"`
}

// Explanation says, profile by profile, whether a device is eligible for
// an application version.
type Explanation struct {
	Application string               `json:"application"`
	Version     string               `json:"version"`
	ClientID    string               `json:"clientId"`
	DeviceID    string               `json:"deviceId"`
	Profiles    []ProfileEligibility `json:"profiles"`
}

// ProfileEligibility is the eligibility of one profile.
type ProfileEligibility struct {
	Profile string `json:"profile"`
	Type    string `json:"type"`
	eligibility.Result
}

// Rollouts owns operator deployments of catalog applications to many
// devices (managers.rollout).
type Rollouts interface {
	// Create validates spec (application and version in the catalog,
	// profile, every parameter value, target, the clients and devices the
	// target lists known to the WFM) and renders one ApplicationDeployment
	// per eligible targeted device. Errors: fault.Unprocessable listing
	// every violation (its detail naming every unknown client and device
	// when there are some), fault.NotFound for an unknown application or
	// version, fault.Conflict for a taken id.
	Create(ctx context.Context, spec RolloutSpec) (Rollout, error)
	// Rollout returns one rollout with its summary; fault.NotFound when unknown.
	Rollout(ctx context.Context, id string) (Rollout, error)
	// Rollouts lists the rollouts that pass filter, in id order.
	Rollouts(ctx context.Context, filter RolloutFilter, page Page) ([]Rollout, string, error)
	// Update applies patch (immutable parameters must keep their values; a
	// new target is checked as on Create) and re-renders every device's
	// deployment. fault.NotFound for an unknown rollout.
	Update(ctx context.Context, id string, patch RolloutPatch) (Rollout, error)
	// Delete removes the rollout's deployments from its devices; the
	// rollout is kept (Deleting) until they report them removed, and gone
	// tells whether that is already so (deleting again, or the next
	// reconcile, drops it once it is). With forget, everything is dropped
	// now, for devices that never come back.
	Delete(ctx context.Context, id string, forget bool) (gone bool, err error)
	// Placements lists the rollout's devices, with their latest states.
	Placements(ctx context.Context, id string, page Page) ([]Placement, string, error)
	// Explain says why a device is or is not eligible for each profile of
	// an application version (the latest when version is empty), or only
	// for profile when given.
	Explain(ctx context.Context, application, version, profile string, device DeviceRef) (Explanation, error)
}
