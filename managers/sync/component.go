package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// components turns a deployment into the workload components to run, in
// the order listed. Each gets only the parameters whose targets name it,
// as pointer -> value; a parameter without a value is left out (the
// workload keeps its default). defaultTimeout applies to components whose
// deployment sets no timeout.
func components(dep *document.ApplicationDeployment, defaultTimeout time.Duration) ([]workload.Component, error) {
	prof := dep.Spec.DeploymentProfile
	out := make([]workload.Component, len(prof.Components))
	for i, c := range prof.Components {
		timeout, err := c.Properties.TimeoutDuration()
		if err != nil {
			return nil, fmt.Errorf("component %s: %w", c.Name, err)
		}
		if timeout <= 0 {
			timeout = defaultTimeout
		}
		repo, rev := c.Properties.Repository, c.Properties.Revision
		if repo == "" {
			repo = c.Properties.PackageLocation // P1 compose
		}
		out[i] = workload.Component{
			DeploymentID: dep.ID(), Deployment: dep.Metadata.Name, Namespace: dep.Metadata.Namespace,
			Name: c.Name, ProfileType: prof.Type, Repository: repo, Revision: rev, KeyLocation: c.Properties.KeyLocation,
			Wait: c.Properties.WaitEnabled(), Timeout: timeout, Parameters: map[string]any{},
		}
	}
	names := make([]string, 0, len(dep.Spec.Parameters))
	for name := range dep.Spec.Parameters {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic when two parameters target one pointer
	for _, name := range names {
		p := dep.Spec.Parameters[name]
		if len(p.Value) == 0 || string(p.Value) == "null" {
			continue
		}
		var v any
		if err := json.Unmarshal(p.Value, &v); err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		for _, t := range p.Targets {
			for i := range out {
				if slices.Contains(t.Components, out[i].Name) {
					out[i].Parameters[t.Pointer] = v
				}
			}
		}
	}
	return out, nil
}

// appliedRecord is what the agent applied for one component: enough to
// skip an identical re-apply after a restart, and to remove it later even
// once its deployment has left the manifest. A record with an empty Hash
// is an attempt: written before the first Apply of a component, so that
// what a failed or interrupted Apply left on the runtime (a created
// container, a half-installed release) is still removed through the
// provider; it never counts as applied.
type appliedRecord struct {
	Spec       workload.Component `json:"spec"`
	Hash       string             `json:"hash"`       // specHash(Spec)
	ParamsHash string             `json:"paramsHash"` // of Spec.Parameters alone, for the local API
	Digest     string             `json:"digest"`     // the deployment revision it came from
	Order      int                `json:"order"`      // position in that revision
	AppliedAt  time.Time          `json:"appliedAt"`
}

// attempted reports whether the record is only an attempt (see appliedRecord).
func (a appliedRecord) attempted() bool { return a.Hash == "" }

// specHash identifies what a component runs: profile type, namespace,
// source, revision and parameters. Equal hashes mean "already applied"
// (wait and timeout only say how to apply, so they are not part of it).
func specHash(c workload.Component) string {
	b, _ := json.Marshal([]string{c.ProfileType, c.Namespace, c.Deployment, c.Repository, c.Revision, c.KeyLocation, paramsHash(c.Parameters)})
	return hashOf(b)
}

// paramsHash is the hash of the parameters (map keys are sorted by
// encoding/json, so equal maps hash equally).
func paramsHash(p map[string]any) string {
	b, _ := json.Marshal(p)
	return hashOf(b)
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
