package fleettest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/digest"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/google/uuid"
)

// EmptyManifest is the version-1 manifest of a client without deployments.
const EmptyManifest = `{"bundle":null,"deployments":[],"manifestVersion":1}`

// View makes a manifest view of body, with its ETag.
func View(version uint64, body string) fleet.ManifestView {
	return fleet.ManifestView{Version: version, Body: []byte(body), ETag: `"` + digest.Sha256([]byte(body)) + `"`}
}

// Deployments is an in-memory fleet.Deployments. Manifests, YAMLs and
// bundles are what the test sets; Apply, Remove and ReportStatus keep
// records, tombstones and statuses as the manager does, without a manifest.
type Deployments struct {
	mu          sync.Mutex
	manifests   map[string]fleet.ManifestView        // clientID
	yamls       map[string][]byte                    // clientID|deploymentID|digest
	bundles     map[string][]byte                    // clientID|digest
	deployments map[string]fleet.Deployment          // clientID|deploymentID
	statuses    map[string][]fleet.StatusReport      // clientID|deploymentID, newest first
	reported    []*document.DeploymentStatusManifest // every accepted status
	forgotten   []string                             // every client forgotten
}

var _ fleet.Deployments = (*Deployments)(nil)

// init makes the maps; the caller holds mu.
func (f *Deployments) init() {
	if f.deployments == nil {
		f.manifests, f.yamls, f.bundles = map[string]fleet.ManifestView{}, map[string][]byte{}, map[string][]byte{}
		f.deployments, f.statuses = map[string]fleet.Deployment{}, map[string][]fleet.StatusReport{}
	}
}

// SetManifest replaces a client's manifest.
func (f *Deployments) SetManifest(clientID string, v fleet.ManifestView) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	f.manifests[clientID] = v
}

// AddDeployment stores a deployment of the given components and its YAML,
// and returns the YAML's digest.
func (f *Deployments) AddDeployment(clientID, deploymentID string, yaml []byte, components ...string) string {
	d := digest.Sha256(yaml)
	f.PutYAML(clientID, deploymentID, d, yaml)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deployments[clientID+"|"+deploymentID] = fleet.Deployment{ClientID: clientID, DeploymentID: deploymentID, Digest: d, Components: components}
	return d
}

// PutYAML stores yaml as the YAML of deployment with digest d, whatever its
// real digest (a corrupted store).
func (f *Deployments) PutYAML(clientID, deploymentID, d string, yaml []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	f.yamls[clientID+"|"+deploymentID+"|"+d] = yaml
}

// AddBundle stores bundle bytes for a client and returns their digest.
func (f *Deployments) AddBundle(clientID string, b []byte) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	d := digest.Sha256(b)
	f.bundles[clientID+"|"+d] = b
	return d
}

// SetStatuses replaces the status history (newest first) of a deployment.
func (f *Deployments) SetStatuses(clientID, deploymentID string, reports ...fleet.StatusReport) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	f.statuses[clientID+"|"+deploymentID] = reports
}

// Get returns a deployment, tombstoned or not, found or not.
func (f *Deployments) Get(clientID, deploymentID string) (fleet.Deployment, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.deployments[clientID+"|"+deploymentID]
	return d, ok
}

// Reported are the status reports ReportStatus accepted, in order.
func (f *Deployments) Reported() []*document.DeploymentStatusManifest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reported)
}

// Forgotten are the clients Forget was called for, in order.
func (f *Deployments) Forgotten() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.forgotten)
}

// Manifest implements fleet.Deployments: the manifest set, else EmptyManifest.
func (f *Deployments) Manifest(_ context.Context, clientID string) (fleet.ManifestView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v, ok := f.manifests[clientID]; ok {
		return v, nil
	}
	return View(1, EmptyManifest), nil
}

// DeploymentYAML implements fleet.Deployments.
func (f *Deployments) DeploymentYAML(_ context.Context, clientID, deploymentID, d string) ([]byte, error) {
	return get(&f.mu, f.yamls, clientID+"|"+deploymentID+"|"+d, "no YAML %s for deployment %s", d, deploymentID)
}

// Bundle implements fleet.Deployments.
func (f *Deployments) Bundle(_ context.Context, clientID, d string) ([]byte, error) {
	return get(&f.mu, f.bundles, clientID+"|"+d, "no bundle %s", d)
}

// ReportStatus implements fleet.Deployments, validating the report against
// the deployment's components.
func (f *Deployments) ReportStatus(_ context.Context, clientID, deploymentID string, s *document.DeploymentStatusManifest, raw []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	dep, ok := f.deployments[clientID+"|"+deploymentID]
	if !ok {
		return fault.New(fault.NotFound, "client %s has no deployment %s", clientID, deploymentID)
	}
	if err := document.Unprocessable(document.ValidateStatus(s, deploymentID, dep.Components)); err != nil {
		return err
	}
	f.reported = append(f.reported, s)
	k := clientID + "|" + deploymentID
	f.statuses[k] = slices.Insert(f.statuses[k], 0, fleet.StatusReport{Received: time.Now(), State: s.Status.State, Report: slices.Clone(raw)})
	return nil
}

// Apply implements fleet.Deployments: it parses doc with
// document.ParseDeployment, first assigning a UUID to a P1 document without
// metadata.annotations.id as the manager does; parse errors pass through.
func (f *Deployments) Apply(_ context.Context, clientID string, doc []byte) (fleet.Deployment, error) {
	d, err := document.ParseDeployment(doc)
	if err != nil {
		withID := strings.Replace(string(doc), "  annotations:\n", "  annotations:\n    id: "+uuid.NewString()+"\n", 1)
		if assigned, err2 := document.ParseDeployment([]byte(withID)); err2 == nil {
			d, err = assigned, nil
		}
	}
	if err != nil {
		return fleet.Deployment{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	k := clientID + "|" + d.ID()
	dep, existed := f.deployments[k]
	now := time.Now()
	if !existed || dep.Deleted {
		dep = fleet.Deployment{ClientID: clientID, DeploymentID: d.ID(), Created: now}
	}
	dep.ApplicationID, dep.Name, dep.Digest, dep.Components, dep.Updated = d.ApplicationID(), d.Metadata.Name, d.Digest(), d.ComponentNames(), now
	dep.DeviceID, dep.Deleted = d.Metadata.DeviceID, false
	f.deployments[k] = dep
	f.yamls[k+"|"+dep.Digest] = slices.Clone(d.Raw())
	return dep, nil
}

// Remove implements fleet.Deployments: the deployment becomes a tombstone.
func (f *Deployments) Remove(_ context.Context, clientID, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.deployments[clientID+"|"+id]
	if !ok || d.Deleted {
		return fault.New(fault.NotFound, "no deployment %s", id)
	}
	d.Deleted = true
	f.deployments[clientID+"|"+id] = d
	return nil
}

// Deployment implements fleet.Deployments.
func (f *Deployments) Deployment(_ context.Context, clientID, id string) (fleet.Deployment, error) {
	return get(&f.mu, f.deployments, clientID+"|"+id, "no deployment %s", id)
}

// List implements fleet.Deployments, in deployment id order.
func (f *Deployments) List(_ context.Context, clientID string, page fleet.Page) ([]fleet.Deployment, string, error) {
	return list(&f.mu, f.deployments, clientID, func(d fleet.Deployment) (string, string) { return d.ClientID, d.DeploymentID }, page)
}

// Statuses implements fleet.Deployments.
func (f *Deployments) Statuses(_ context.Context, clientID, id string, limit int) ([]fleet.StatusReport, error) {
	return first(&f.mu, f.statuses, clientID+"|"+id, limit), nil
}

// Forget implements fleet.Deployments: it drops the client's deployments.
func (f *Deployments) Forget(_ context.Context, clientID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forgotten = append(f.forgotten, clientID)
	for k := range f.deployments {
		if strings.HasPrefix(k, clientID+"|") {
			delete(f.deployments, k)
		}
	}
	return nil
}

// Purge implements fleet.Deployments: it drops the deployment and its statuses.
func (f *Deployments) Purge(_ context.Context, clientID, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := clientID + "|" + id
	if _, ok := f.deployments[k]; !ok {
		return fault.New(fault.NotFound, "no deployment %s", id)
	}
	delete(f.deployments, k)
	delete(f.statuses, k)
	return nil
}

// Document implements fleet.Deployments: the YAML Apply stored (or PutYAML
// put) for the deployment's current digest.
func (f *Deployments) Document(_ context.Context, clientID, id string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := clientID + "|" + id
	d, ok := f.deployments[k]
	if !ok {
		return nil, fault.New(fault.NotFound, "no deployment %s", id)
	}
	y, ok := f.yamls[k+"|"+d.Digest]
	if !ok {
		return nil, fault.New(fault.NotFound, "no YAML for deployment %s", id)
	}
	return y, nil
}
