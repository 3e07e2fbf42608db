package margo

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/digest"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// fakeOnboarding is an in-memory fleet.Onboarding.
type fakeOnboarding struct {
	mu      sync.Mutex
	ca      *x509.Certificate
	clients map[string]fleet.Client
	// refuse, when set, is returned by Onboard.
	refuse error
	// state is what Onboard gives new clients (approved when empty).
	state   fleet.ClientState
	lookups int
}

func newFakeOnboarding(ca *x509.Certificate) *fakeOnboarding {
	return &fakeOnboarding{ca: ca, clients: map[string]fleet.Client{}}
}

func (f *fakeOnboarding) CACertificate() *x509.Certificate { return f.ca }

func (f *fakeOnboarding) Onboard(_ context.Context, cert *x509.Certificate) (fleet.Client, error) {
	if f.refuse != nil {
		return fleet.Client{}, f.refuse
	}
	state := f.state
	if state == "" {
		state = fleet.ClientApproved
	}
	return f.add(cert, state), nil
}

// add registers cert as a client in state (or returns the existing one).
func (f *fakeOnboarding) add(cert *x509.Certificate, state fleet.ClientState) fleet.Client {
	f.mu.Lock()
	defer f.mu.Unlock()
	kid := signature.KeyID(cert)
	id := "c-" + kid[:16]
	if c, ok := f.clients[id]; ok {
		return c
	}
	now := time.Now()
	c := fleet.Client{
		ID: id, KeyID: kid, Subject: cert.Subject.String(), State: state, NotAfter: cert.NotAfter,
		CertificatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})),
		Created:        now, Updated: now, Certificate: cert,
	}
	f.clients[id] = c
	return c
}

func (f *fakeOnboarding) Client(_ context.Context, id string) (fleet.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	c, ok := f.clients[id]
	if !ok {
		return fleet.Client{}, fault.New(fault.NotFound, "no client %s", id)
	}
	return c, nil
}

func (f *fakeOnboarding) Clients(context.Context, fleet.Page) ([]fleet.Client, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fleet.Client
	for _, c := range f.clients {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b fleet.Client) int { return strings.Compare(a.ID, b.ID) })
	return out, "", nil
}

func (f *fakeOnboarding) SetState(_ context.Context, id string, s fleet.ClientState) (fleet.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.clients[id]
	if !ok {
		return fleet.Client{}, fault.New(fault.NotFound, "no client %s", id)
	}
	c.State = s
	f.clients[id] = c
	return c, nil
}

// fakeCapabilities is an in-memory fleet.Capabilities.
type fakeCapabilities struct {
	mu      sync.Mutex
	devices map[string]fleet.Device // clientID|deviceID
	// reject, when set, is returned by Report.
	reject error
}

func newFakeCapabilities() *fakeCapabilities {
	return &fakeCapabilities{devices: map[string]fleet.Device{}}
}

func (f *fakeCapabilities) Report(_ context.Context, clientID, deviceID string, doc *document.DeviceCapabilitiesManifest, raw []byte) (bool, error) {
	if f.reject != nil {
		return false, f.reject
	}
	if deviceID == "" {
		deviceID = doc.Properties.ID
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := strings.LastIndexByte(deviceID, '/'); i > 0 {
		if _, ok := f.devices[clientID+"|"+deviceID[:i]]; !ok {
			return false, fault.New(fault.NotFound, "gateway %s has not reported", deviceID[:i])
		}
	}
	k := clientID + "|" + deviceID
	d, existed := f.devices[k]
	d.ClientID, d.DeviceID, d.Capabilities, d.Reported = clientID, deviceID, slices.Clone(raw), time.Now()
	d.Revision++
	f.devices[k] = d
	return !existed, nil
}

func (f *fakeCapabilities) Remove(_ context.Context, clientID, deviceID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.devices[clientID+"|"+deviceID]; !ok {
		return fault.New(fault.NotFound, "no device %s", deviceID)
	}
	delete(f.devices, clientID+"|"+deviceID)
	return nil
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

func (f *fakeCapabilities) Devices(context.Context, string, fleet.Page) ([]fleet.Device, string, error) {
	return nil, "", nil
}

func (f *fakeCapabilities) History(context.Context, string, string, int) ([]fleet.CapabilitiesReport, error) {
	return nil, nil
}

// fakeDeployments is an in-memory fleet.Deployments serving fixed content.
type fakeDeployments struct {
	mu          sync.Mutex
	manifests   map[string]fleet.ManifestView        // clientID
	yamls       map[string][]byte                    // clientID|deploymentID|digest
	bundles     map[string][]byte                    // clientID|digest
	deployments map[string]fleet.Deployment          // clientID|deploymentID
	statuses    map[string][]fleet.StatusReport      // clientID|deploymentID
	reported    []*document.DeploymentStatusManifest // every accepted status
}

func newFakeDeployments() *fakeDeployments {
	return &fakeDeployments{
		manifests: map[string]fleet.ManifestView{}, yamls: map[string][]byte{}, bundles: map[string][]byte{},
		deployments: map[string]fleet.Deployment{}, statuses: map[string][]fleet.StatusReport{},
	}
}

// view makes a manifest view of body.
func view(version uint64, body string) fleet.ManifestView {
	return fleet.ManifestView{Version: version, Body: []byte(body), ETag: `"` + digest.Sha256([]byte(body)) + `"`}
}

// emptyManifest is the version-1 manifest of a client without deployments.
const emptyManifest = `{"bundle":null,"deployments":[],"manifestVersion":1}`

// setManifest replaces a client's manifest.
func (f *fakeDeployments) setManifest(clientID string, v fleet.ManifestView) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.manifests[clientID] = v
}

// addDeployment stores a deployment YAML for a client and returns its digest.
func (f *fakeDeployments) addDeployment(clientID, deploymentID string, yaml []byte, components ...string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := digest.Sha256(yaml)
	f.yamls[clientID+"|"+deploymentID+"|"+d] = yaml
	f.deployments[clientID+"|"+deploymentID] = fleet.Deployment{ClientID: clientID, DeploymentID: deploymentID, Digest: d, Components: components}
	return d
}

// addBundle stores bundle bytes for a client and returns the digest.
func (f *fakeDeployments) addBundle(clientID string, b []byte) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := digest.Sha256(b)
	f.bundles[clientID+"|"+d] = b
	return d
}

func (f *fakeDeployments) Manifest(_ context.Context, clientID string) (fleet.ManifestView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v, ok := f.manifests[clientID]; ok {
		return v, nil
	}
	return view(1, emptyManifest), nil
}

func (f *fakeDeployments) DeploymentYAML(_ context.Context, clientID, deploymentID, d string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.yamls[clientID+"|"+deploymentID+"|"+d]
	if !ok {
		return nil, fault.New(fault.NotFound, "no YAML %s for deployment %s", d, deploymentID)
	}
	return b, nil
}

func (f *fakeDeployments) Bundle(_ context.Context, clientID, d string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.bundles[clientID+"|"+d]
	if !ok {
		return nil, fault.New(fault.NotFound, "no bundle %s", d)
	}
	return b, nil
}

func (f *fakeDeployments) ReportStatus(_ context.Context, clientID, deploymentID string, s *document.DeploymentStatusManifest, raw []byte) error {
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
	f.statuses[k] = append(f.statuses[k], fleet.StatusReport{Received: time.Now(), State: s.Status.State, Report: slices.Clone(raw)})
	return nil
}

func (f *fakeDeployments) Apply(context.Context, string, []byte) (fleet.Deployment, error) {
	return fleet.Deployment{}, fmt.Errorf("not used")
}

func (f *fakeDeployments) Remove(context.Context, string, string) error {
	return fmt.Errorf("not used")
}

func (f *fakeDeployments) Deployment(_ context.Context, clientID, deploymentID string) (fleet.Deployment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.deployments[clientID+"|"+deploymentID]
	if !ok {
		return fleet.Deployment{}, fault.New(fault.NotFound, "no deployment %s", deploymentID)
	}
	return d, nil
}

func (f *fakeDeployments) List(context.Context, string, fleet.Page) ([]fleet.Deployment, string, error) {
	return nil, "", nil
}

func (f *fakeDeployments) Statuses(context.Context, string, string, int) ([]fleet.StatusReport, error) {
	return nil, nil
}

func (f *fakeDeployments) Forget(context.Context, string) error { return nil }
