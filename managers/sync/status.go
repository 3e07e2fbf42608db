package sync

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// Status error codes the agent reports (status.error.code and
// components[].error.code).
const (
	CodePending          = "PENDING"              // not an error: why the deployment waits
	CodeNoProvider       = "NO_WORKLOAD_PROVIDER" // the profile type has no provider on this device
	CodeInvalid          = "INVALID_DEPLOYMENT"   // the YAML cannot be run
	CodeApplyFailed      = "APPLY_FAILED"         // the provider failed to install or upgrade
	CodeTimeout          = "TIMEOUT"              // wait exceeded the component's timeout
	CodeUnavailable      = "UNAVAILABLE"          // an artifact source or the runtime (Docker, Kubernetes) is unreachable (retried)
	CodeRemoveFailed     = "REMOVE_FAILED"        // the provider failed to uninstall
	CodeBlockedByFailure = "BLOCKED_BY_COMPONENT" // not started: an earlier component failed
)

// deploymentRecord is what the agent knows about one deployment: the
// revision it works toward and the state of each component. It is the
// source of every status report and of the local API's deployment view.
type deploymentRecord struct {
	ID              string                `json:"deploymentId"`
	Name            string                `json:"name,omitempty"`
	Namespace       string                `json:"namespace,omitempty"`
	ProfileType     string                `json:"profileType,omitempty"`
	Digest          string                `json:"digest"` // the revision worked toward ("" once removed from the manifest)
	ManifestVersion uint64                `json:"manifestVersion"`
	State           document.State        `json:"state"`
	Error           *document.StatusError `json:"error,omitempty"`
	Components      []componentState      `json:"components"`
	Leftovers       []string              `json:"leftovers,omitempty"` // applied components the revision dropped, still to remove
	Attempts        int                   `json:"attempts,omitempty"`
	NextRetry       time.Time             `json:"nextRetry,omitzero"`
	Permanent       bool                  `json:"permanent,omitempty"` // failed until the deployment changes
	LastError       string                `json:"lastError,omitempty"`
	Updated         time.Time             `json:"updated"`
	RemovedAt       time.Time             `json:"removedAt,omitzero"`
}

// removalStarted reports whether the deployment's removal has begun (its
// digest is cleared when it starts).
func (r *deploymentRecord) removalStarted() bool { return r.Digest == "" }

// componentState is one component's state.
type componentState struct {
	Name  string                `json:"name"`
	State document.State        `json:"state"`
	Error *document.StatusError `json:"error,omitempty"`
}

// setAll puts every component in st (without error).
func (r *deploymentRecord) setAll(st document.State) {
	for i := range r.Components {
		r.Components[i] = componentState{Name: r.Components[i].Name, State: st}
	}
}

// setComponent sets one component's state and error.
func (r *deploymentRecord) setComponent(name string, st document.State, e *document.StatusError) {
	for i := range r.Components {
		if r.Components[i].Name == name {
			r.Components[i].State, r.Components[i].Error = st, e
		}
	}
}

// settle sets the overall state to the most severe component state, and
// the overall error to overall (source: the deployment's name) or, when
// nil and a component failed, to that component's error.
func (r *deploymentRecord) settle(overall *document.StatusError, now time.Time) {
	states := make([]document.State, len(r.Components))
	for i, c := range r.Components {
		states[i] = c.State
	}
	r.State = document.MostSevere(states...)
	r.Error = overall
	if r.Error == nil && r.State == document.StateFailed {
		for _, c := range r.Components {
			if c.State == document.StateFailed && c.Error != nil {
				r.Error = &document.StatusError{Code: c.Error.Code, Source: r.Name, Message: "component " + c.Name + ": " + c.Error.Message}
				break
			}
		}
	}
	if r.Error != nil && r.Error.Source == "" {
		r.Error.Source = r.Name
	}
	r.Updated = now.UTC()
}

// statusError builds a status error.
func statusError(code, source, message string) *document.StatusError {
	return &document.StatusError{Code: code, Source: source, Message: message}
}

// statusDoc is the DeploymentStatusManifest of the record (P1 envelope).
func (r *deploymentRecord) statusDoc(rc3 bool) ([]byte, error) {
	doc := document.DeploymentStatusManifest{
		APIVersion: document.StatusAPIVersion, Kind: document.StatusKind, DeploymentID: r.ID,
		Status:     document.DeploymentStatus{State: r.State, Error: r.Error},
		Components: make([]document.ComponentStatus, len(r.Components)),
	}
	parse := document.ParseStatus
	if rc3 {
		// rc.3: no envelope, and the version of the manifest whose revision
		// of the deployment this is (not merely the newest fetched).
		v := r.ManifestVersion
		doc.APIVersion, doc.Kind, doc.AdoptedManifestVersion, parse = "", "", &v, document.ParseStatusP2
	}
	for i, c := range r.Components {
		doc.Components[i] = document.ComponentStatus{Name: c.Name, State: c.State, Error: c.Error}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "encode the status of deployment %s", r.ID)
	}
	if _, err := parse(b); err != nil {
		return nil, fault.Wrap(err, fault.Internal, "the agent built an invalid status for deployment %s (a bug)", r.ID)
	}
	return b, nil
}

// errorCode maps a provider error to a status error code.
func errorCode(err error, fallback string) string {
	switch fault.CodeOf(err) {
	case fault.Timeout:
		return CodeTimeout
	case fault.NotFound, fault.Unavailable:
		return CodeUnavailable
	case fault.BadRequest, fault.Unprocessable:
		return CodeInvalid
	}
	return fallback
}

// statusMessage is err for a status report: a fault's detail and cause,
// without the code (the report has its own code field).
func statusMessage(err error) string {
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Detail != "" {
		if fe.Cause != nil {
			return fe.Detail + ": " + statusMessage(fe.Cause)
		}
		return fe.Detail
	}
	return err.Error()
}

// permanentFailure reports whether retrying err without a change of the
// deployment is pointless (the provider cannot run what was asked).
func permanentFailure(err error) bool {
	switch fault.CodeOf(err) {
	case fault.BadRequest, fault.Unprocessable:
		return true
	}
	return false
}
