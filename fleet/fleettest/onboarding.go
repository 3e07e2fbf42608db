package fleettest

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// Onboarding is an in-memory fleet.Onboarding.
type Onboarding struct {
	// CA is what CACertificate returns.
	CA *x509.Certificate
	// Refuse, when set, is what Onboard returns.
	Refuse error
	// NewState is the state Onboard gives a new client (approved when "").
	NewState fleet.ClientState

	mu      sync.Mutex
	clients map[string]fleet.Client
	pages   []fleet.Page
	lookups int
}

var _ fleet.Onboarding = (*Onboarding)(nil)

// CACertificate implements fleet.Onboarding.
func (f *Onboarding) CACertificate() *x509.Certificate { return f.CA }

// Onboard implements fleet.Onboarding: the client of cert (see Add), new
// ones in NewState, unless Refuse is set.
func (f *Onboarding) Onboard(_ context.Context, cert *x509.Certificate) (fleet.Client, error) {
	if f.Refuse != nil {
		return fleet.Client{}, f.Refuse
	}
	state := f.NewState
	if state == "" {
		state = fleet.ClientApproved
	}
	return f.Add(cert, state), nil
}

// Add registers cert as a client in state, with id "c-" and the first 16
// hex digits of its keyid, or returns the client already registered there.
func (f *Onboarding) Add(cert *x509.Certificate, state fleet.ClientState) fleet.Client {
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
	f.put(c)
	return c
}

// Put stores c as it is, replacing the client with its id.
func (f *Onboarding) Put(c fleet.Client) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.put(c)
}

func (f *Onboarding) put(c fleet.Client) {
	if f.clients == nil {
		f.clients = map[string]fleet.Client{}
	}
	f.clients[c.ID] = c
}

// Get returns the client with id, found or not, without counting a lookup.
func (f *Onboarding) Get(id string) (fleet.Client, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.clients[id]
	return c, ok
}

// StateOf is the state of the client with id ("" when unknown).
func (f *Onboarding) StateOf(id string) fleet.ClientState {
	c, _ := f.Get(id)
	return c.State
}

// Lookups is how many times Client was called.
func (f *Onboarding) Lookups() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lookups
}

// Pages are the pages Clients was asked for, in order.
func (f *Onboarding) Pages() []fleet.Page {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.pages)
}

// Client implements fleet.Onboarding.
func (f *Onboarding) Client(_ context.Context, id string) (fleet.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	c, ok := f.clients[id]
	if !ok {
		return fleet.Client{}, fault.New(fault.NotFound, "no client %s", id)
	}
	return c, nil
}

// Clients implements fleet.Onboarding, in id order.
func (f *Onboarding) Clients(_ context.Context, page fleet.Page) ([]fleet.Client, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pages = append(f.pages, page)
	all := make([]fleet.Client, 0, len(f.clients))
	for _, c := range f.clients {
		all = append(all, c)
	}
	out, next := paged(all, func(c fleet.Client) string { return c.ID }, page)
	return out, next, nil
}

// SetState implements fleet.Onboarding, allowing any transition.
func (f *Onboarding) SetState(_ context.Context, id string, s fleet.ClientState) (fleet.Client, error) {
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

// Seen implements fleet.Onboarding: it moves the client's LastSeen forward.
func (f *Onboarding) Seen(_ context.Context, id string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.clients[id]
	if !ok {
		return fault.New(fault.NotFound, "no client %s", id)
	}
	if at.After(c.LastSeen) {
		c.LastSeen = at
		f.clients[id] = c
	}
	return nil
}

// Enroll implements fleet.Onboarding: a new client is approved, a known one
// keeps its state (Conflict unless approved) and gets the certificate.
func (f *Onboarding) Enroll(_ context.Context, id string, svid *x509.Certificate) (fleet.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.clients[id]
	switch {
	case !ok:
		c = fleet.Client{ID: id, State: fleet.ClientApproved, Created: time.Now()}
	case c.State != fleet.ClientApproved:
		return fleet.Client{}, fault.New(fault.Conflict, "client %s is %s", id, c.State)
	}
	c.KeyID, c.Certificate, c.NotAfter, c.Updated = signature.KeyID(svid), svid, svid.NotAfter, time.Now()
	c.CertificatePEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: svid.Raw}))
	if len(svid.URIs) == 1 {
		c.SPIFFEID = svid.URIs[0].String()
	}
	f.put(c)
	return c, nil
}
