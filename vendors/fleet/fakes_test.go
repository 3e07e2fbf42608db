package operator

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/google/uuid"
	"sigs.k8s.io/yaml"
)

// paged returns the page of sorted items after page.After, and the next cursor.
func paged[T any](items []T, id func(T) string, page fleet.Page) ([]T, string) {
	slices.SortFunc(items, func(a, b T) int { return strings.Compare(id(a), id(b)) })
	var out []T
	for _, it := range items {
		if page.After != "" && id(it) <= page.After {
			continue
		}
		if page.Limit > 0 && len(out) == page.Limit {
			return out, id(out[len(out)-1])
		}
		out = append(out, it)
	}
	return out, ""
}

// fakeOnboarding is an in-memory fleet.Onboarding.
type fakeOnboarding struct {
	mu      sync.Mutex
	clients map[string]fleet.Client
	pages   []fleet.Page // every Clients page asked for
}

func (f *fakeOnboarding) CACertificate() *x509.Certificate { return nil }

func (f *fakeOnboarding) Onboard(context.Context, *x509.Certificate) (fleet.Client, error) {
	return fleet.Client{}, fault.New(fault.Internal, "not used")
}

func (f *fakeOnboarding) Client(_ context.Context, id string) (fleet.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.clients[id]
	if !ok {
		return fleet.Client{}, fault.New(fault.NotFound, "no client %s", id)
	}
	return c, nil
}

func (f *fakeOnboarding) Clients(_ context.Context, page fleet.Page) ([]fleet.Client, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pages = append(f.pages, page)
	var all []fleet.Client
	for _, c := range f.clients {
		all = append(all, c)
	}
	out, next := paged(all, func(c fleet.Client) string { return c.ID }, page)
	return out, next, nil
}

func (f *fakeOnboarding) SetState(_ context.Context, id string, s fleet.ClientState) (fleet.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.clients[id]
	if !ok {
		return fleet.Client{}, fault.New(fault.NotFound, "no client %s", id)
	}
	c.State, c.Updated = s, time.Now()
	f.clients[id] = c
	return c, nil
}

// fakeCapabilities is an in-memory fleet.Capabilities.
type fakeCapabilities struct {
	mu      sync.Mutex
	devices map[string]fleet.Device               // clientID|deviceID
	history map[string][]fleet.CapabilitiesReport // clientID|deviceID
}

func (f *fakeCapabilities) add(clientID, deviceID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	caps := json.RawMessage(`{"properties":{"id":"` + deviceID + `"}}`)
	f.devices[clientID+"|"+deviceID] = fleet.Device{ClientID: clientID, DeviceID: deviceID, Capabilities: caps, Revision: 2}
	f.history[clientID+"|"+deviceID] = []fleet.CapabilitiesReport{{Capabilities: caps}, {Capabilities: json.RawMessage(`{"old":true}`)}}
}

func (f *fakeCapabilities) Report(context.Context, string, string, *document.DeviceCapabilitiesManifest, []byte) (bool, error) {
	return false, fault.New(fault.Internal, "not used")
}

func (f *fakeCapabilities) Remove(context.Context, string, string) error {
	return fault.New(fault.Internal, "not used")
}

func (f *fakeCapabilities) Device(_ context.Context, clientID, deviceID string) (fleet.Device, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.devices[clientID+"|"+deviceID]
	if !ok {
		return fleet.Device{}, fault.New(fault.NotFound, "no device %s", deviceID)
	}
	return d, nil
}

func (f *fakeCapabilities) Devices(_ context.Context, clientID string, page fleet.Page) ([]fleet.Device, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []fleet.Device
	for _, d := range f.devices {
		if clientID == "" || d.ClientID == clientID {
			all = append(all, d)
		}
	}
	out, next := paged(all, func(d fleet.Device) string { return d.ClientID + "|" + d.DeviceID }, page)
	return out, next, nil
}

func (f *fakeCapabilities) History(_ context.Context, clientID, deviceID string, limit int) ([]fleet.CapabilitiesReport, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.history[clientID+"|"+deviceID]
	if limit > 0 && len(h) > limit {
		h = h[:limit]
	}
	return h, nil
}

// fakeDeployments is an in-memory fleet.Deployments.
type fakeDeployments struct {
	mu          sync.Mutex
	deployments map[string]fleet.Deployment // clientID|deploymentID
	statuses    map[string][]fleet.StatusReport
	forgotten   []string
}

func (f *fakeDeployments) Manifest(context.Context, string) (fleet.ManifestView, error) {
	return fleet.ManifestView{}, fault.New(fault.Internal, "not used")
}

func (f *fakeDeployments) DeploymentYAML(context.Context, string, string, string) ([]byte, error) {
	return nil, fault.New(fault.Internal, "not used")
}

func (f *fakeDeployments) Bundle(context.Context, string, string) ([]byte, error) {
	return nil, fault.New(fault.Internal, "not used")
}

func (f *fakeDeployments) ReportStatus(context.Context, string, string, *document.DeploymentStatusManifest, []byte) error {
	return fault.New(fault.Internal, "not used")
}

// Apply reads the id like the real manager (assigning one when absent) and
// validates the document with document.ParseDeployment after that.
func (f *fakeDeployments) Apply(_ context.Context, clientID string, doc []byte) (fleet.Deployment, error) {
	var probe map[string]any
	if err := yaml.Unmarshal(doc, &probe); err != nil {
		return fleet.Deployment{}, fault.New(fault.BadRequest, "not YAML")
	}
	id := deploymentIDOf(doc)
	if id == "" {
		id = uuid.NewString()
		doc = []byte(strings.Replace(string(doc), "  annotations:\n", "  annotations:\n    id: "+id+"\n", 1))
	}
	d, err := document.ParseDeployment(doc)
	if err != nil {
		return fleet.Deployment{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := clientID + "|" + id
	dep, existed := f.deployments[k]
	now := time.Now()
	if !existed || dep.Deleted {
		dep = fleet.Deployment{ClientID: clientID, DeploymentID: id, Created: now}
	}
	dep.ApplicationID, dep.Name, dep.Digest, dep.Components, dep.Updated = d.ApplicationID(), d.Metadata.Name, d.Digest(), d.ComponentNames(), now
	f.deployments[k] = dep
	return dep, nil
}

func (f *fakeDeployments) Remove(_ context.Context, clientID, id string) error {
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

func (f *fakeDeployments) Deployment(_ context.Context, clientID, id string) (fleet.Deployment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.deployments[clientID+"|"+id]
	if !ok {
		return fleet.Deployment{}, fault.New(fault.NotFound, "no deployment %s", id)
	}
	return d, nil
}

func (f *fakeDeployments) List(_ context.Context, clientID string, page fleet.Page) ([]fleet.Deployment, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []fleet.Deployment
	for _, d := range f.deployments {
		if clientID == "" || d.ClientID == clientID {
			all = append(all, d)
		}
	}
	out, next := paged(all, func(d fleet.Deployment) string { return d.DeploymentID }, page)
	return out, next, nil
}

func (f *fakeDeployments) Statuses(_ context.Context, clientID, id string, limit int) ([]fleet.StatusReport, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.statuses[clientID+"|"+id]
	if limit > 0 && len(s) > limit {
		s = s[:limit]
	}
	return s, nil
}

func (f *fakeDeployments) Forget(_ context.Context, clientID string) error {
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
