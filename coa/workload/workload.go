// Package workload is the contract of workload providers: the device-side
// runtimes that install, upgrade, remove and inspect one component of a
// Margo deployment (workload.helm for profile type helm.v3/helm,
// workload.compose for compose). The device agent (managers.sync) picks a
// provider by the deployment profile's type and calls it component by
// component, in the order the deployment lists them.
//
// Providers must be idempotent: Apply of a component that is already
// installed with the same revision, source and parameters changes nothing;
// Remove of an absent component succeeds. The agent may call them again after
// a crash at any point.
//
// Every provider runs the conformance kit, package workloadtest, from its
// own tests; the kit pins down the choices this contract leaves open. The
// agent folds component phases into a deployment's state with MostSevere.
package workload

import (
	"context"
	"time"
)

// Phase is a component's lifecycle state, using the Margo status words.
type Phase string

// Phases (the Margo deployment status states).
const (
	Pending    Phase = "pending"
	Installing Phase = "installing"
	Installed  Phase = "installed"
	Failed     Phase = "failed"
	Removing   Phase = "removing"
	Removed    Phase = "removed"
)

// Component is one component of a deployment, as the agent asks a provider
// to run it. It carries no Margo document types so that providers depend on
// the framework only.
type Component struct {
	DeploymentID string // the deployment's id (metadata.annotations.id)
	Deployment   string // metadata.name
	Namespace    string // metadata.namespace (Helm namespace; compose ignores it)
	Name         string // the component's name, unique in its deployment
	ProfileType  string // "helm.v3", "helm" or "compose"

	// Source: for helm an oci:// chart reference, for compose a package
	// location (a compose file or a tar.gz archive); Revision is the chart
	// version or package revision.
	Repository  string
	Revision    string
	KeyLocation string // compose: PGP public key URL to check the package signature ("" = unsigned)

	// Wait blocks Apply until the workload is running (Helm release
	// deployed, every compose container running), within Timeout (0 = the
	// provider's default). A timeout is a failure.
	Wait    bool
	Timeout time.Duration

	// Parameters maps each target pointer of this component to its value:
	// a Helm value path ("settings.pollFrequency") or a compose environment
	// variable name ("POLL_FREQUENCY"). Values are string, float64, bool,
	// or []any of those.
	Parameters map[string]any
}

// Status is what a provider knows about one component.
type Status struct {
	Phase    Phase
	Message  string            // human-readable, e.g. the last error or "3/3 containers running"
	Revision string            // what is installed (chart version, package revision)
	Details  map[string]string // provider-specific (release revision, container ids, ...); see DetailGeneration
}

// DetailGeneration is the Status.Details key of a component's change
// counter. Providers SHOULD set it on every status of an installed (or
// failed) component: a decimal unsigned integer that increases each time
// Apply changes the workload (install, upgrade, downgrade, changed
// parameters) and stays the same when Apply finds nothing to change, so the
// agent and the conformance kit can tell a real change from an idempotent
// re-apply. Helm uses the release revision; other providers keep their own
// counter. It may restart after Remove. Other Details keys are free-form.
const DetailGeneration = "generation"

// Event is a progress report during Apply or Remove (pulls, installs, waits).
type Event struct {
	Component string
	Phase     Phase
	Message   string
	// Done and Total count bytes or steps when known (Total 0 = unknown).
	Done, Total int64
}

// Progress receives events; it must not block for long. May be nil.
type Progress func(Event)

// Provider runs components. Errors carry fault codes: NotFound (Status of an
// absent component; an artifact that does not exist — "unavailable", never a
// reason to delete), BadRequest (a component the provider cannot run, e.g. a
// malformed reference), Unavailable (the runtime or registry is unreachable),
// Timeout (Wait exceeded Timeout).
type Provider interface {
	// Types lists the deployment profile types the provider runs.
	Types() []string
	// Apply installs or upgrades c and returns its status once done
	// (installed, or failed with the reason in both the error and the status).
	Apply(ctx context.Context, c Component, progress Progress) (Status, error)
	// Remove uninstalls c; removing an absent component succeeds.
	Remove(ctx context.Context, c Component, progress Progress) error
	// Status reports c's current state; fault.NotFound when not installed.
	Status(ctx context.Context, c Component) (Status, error)
}
