package identity

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/authority"
	"github.com/cadenza-edge/cadenza/margo/miaf"
)

// ID is the module id.
const ID = "managers.identity"

// State keys.
const (
	caKey     = "identity/ca"
	bundleKey = "identity/bundle"
)

func init() {
	module.Register(module.Registration{ID: ID, New: func() module.Module { return &Manager{now: time.Now} },
		Summary: "rc.3 (MIAF) trust domain: SPIFFE CA, the trust bundle the Margo Identity Service serves, client X.509-SVIDs"})
}

// Manager is managers.identity.
type Manager struct {
	cfg   Config
	store state.Store
	log   *slog.Logger
	now   func() time.Time
	td    spiffeid.TrustDomain
	wfm   miaf.Identity
	ca    *authority.Authority // current; guarded by mu after Init
	p1    fleet.Onboarding     // nil without a managers.onboarding beside it
	// prev is the CA a rotation replaced, an anchor until prevRetire.
	prev       *authority.Authority
	prevRetire time.Time
	// clientAnchors verify client SVIDs: the trust domain CA alone.
	clientAnchors *miaf.Bundle

	pubMu  sync.Mutex // serialises publish
	mu     sync.RWMutex
	bundle *miaf.Bundle
	json   []byte
}

var (
	_ fleet.Identity         = (*Manager)(nil)
	_ module.SiblingDeclarer = (*Manager)(nil)
)

// ConfigTarget implements module.Configurable.
func (m *Manager) ConfigTarget() any { return &m.cfg }

// Roles declares the state store.
func (m *Manager) Roles() []module.Role { return []module.Role{module.Need[state.Store]("state")} }

// Siblings implements module.SiblingDeclarer: a P1 onboarding manager is
// optional (its CA joins the bundle's anchors).
func (m *Manager) Siblings() []module.Role {
	return []module.Role{module.Want[fleet.Onboarding]("managers.onboarding")}
}

// Init loads or generates the trust domain CA.
func (m *Manager) Init(ctx context.Context, env *module.Env) error {
	if err := m.cfg.Validate(); err != nil {
		return err
	}
	s, err := module.MustUse[state.Store](env, "state")
	if err != nil {
		return err
	}
	m.store, m.log = s, env.Logger
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.now == nil {
		m.now = time.Now
	}
	m.td = spiffeid.RequireTrustDomainFromString(m.cfg.TrustDomain)
	wfmID := m.cfg.WFMID
	if wfmID == "" {
		wfmID = env.Host
	}
	m.wfm = miaf.Identity{TrustDomain: m.td, WFM: wfmID}
	if _, err := m.wfm.ID(); err != nil {
		return fmt.Errorf("%s: the WFM id %q (the host's name; set wfmId): %w", ID, wfmID, err)
	}
	m.ca, err = authority.Load(ctx, m.source(), m.now())
	if err != nil {
		return fmt.Errorf("%s: %w", ID, err)
	}
	m.p1, _ = module.Manager[fleet.Onboarding](env)
	m.clientAnchors = miaf.NewBundle(m.td, 0, 0, []*x509.Certificate{m.ca.Cert})
	return m.ensureServerCert(ctx)
}

// ensureServerCert keeps the configured server certificate an SVID of the
// current trust domain CA (see Config.ServerCertificate).
func (m *Manager) ensureServerCert(ctx context.Context) error {
	sc := m.cfg.ServerCertificate
	if sc == nil {
		return nil
	}
	if sc.SPIFFEID == "" {
		sc.SPIFFEID = m.wfm.String()
	}
	reason, cert, err := m.current().EnsureServer(sc, m.now())
	if err != nil {
		return fmt.Errorf("%s: %w", ID, err)
	}
	if reason != "" {
		m.log.InfoContext(ctx, "WFM server certificate issued from the trust domain CA", "reason", reason, "cert", sc.Cert,
			"spiffeId", sc.SPIFFEID, "hosts", sc.Hosts, "notAfter", cert.NotAfter)
	}
	return nil
}

// Reconcile implements module.Reconciler: it picks up a rotation another
// host made (the store is shared) and drops the previous CA once its
// overlap is over, republishing the bundle when either changed.
func (m *Manager) Reconcile(ctx context.Context) error {
	cur, err := authority.Load(ctx, m.source(), m.now())
	if err != nil {
		return fmt.Errorf("%s: %w", ID, err)
	}
	changed := !cur.Cert.Equal(m.current().Cert)
	if changed {
		m.mu.Lock()
		m.ca = cur
		m.mu.Unlock()
	}
	if err := m.loadPrevious(ctx); err != nil {
		return err
	}
	m.mu.RLock()
	published := len(m.clientAnchors.Anchors())
	m.mu.RUnlock()
	if changed || len(m.authorities()) != published {
		if err := m.ensureServerCert(ctx); err != nil {
			return err
		}
		return m.publish(ctx)
	}
	return nil
}

// Start builds the trust bundle (the P1 CA is known once its manager has
// initialised) and writes its anchors to bundleFile.
func (m *Manager) Start(ctx context.Context) error {
	if err := m.loadPrevious(ctx); err != nil {
		return err
	}
	return m.publish(ctx)
}

// publish builds the trust bundle from the current CA, the previous one
// while it overlaps, and the P1 CA, and writes its anchors to bundleFile.
func (m *Manager) publish(ctx context.Context) error {
	m.pubMu.Lock() // a rotation and a reconcile may publish at once
	defer m.pubMu.Unlock()
	cas := m.authorities()
	anchors := slices.Clone(cas)
	if m.p1 != nil {
		if p1 := m.p1.CACertificate(); p1 != nil && !slices.ContainsFunc(cas, p1.Equal) {
			anchors = append(anchors, p1)
		}
	}
	seq, err := m.sequence(ctx, anchors)
	if err != nil {
		return err
	}
	b := miaf.NewBundle(m.td, seq, m.cfg.RefreshHint.D(), anchors)
	data, err := b.Marshal()
	if err != nil {
		return fmt.Errorf("%s: encoding the trust bundle: %w", ID, err)
	}
	m.mu.Lock()
	m.bundle, m.json = b, data
	m.clientAnchors = miaf.NewBundle(m.td, 0, 0, cas)
	m.mu.Unlock()
	m.log.InfoContext(ctx, "trust bundle published", "trustDomain", m.td.Name(), "wfm", m.wfm.String(), "anchors", len(anchors), "sequence", seq)
	return m.exportAnchors(ctx, anchors)
}

// source says where the trust domain CA comes from.
func (m *Manager) source() authority.Source {
	return authority.Source{What: "trust domain CA", Files: m.cfg.CA, Store: m.store, StateKey: caKey,
		Spec: authority.Spec{CommonName: "Cadenza trust domain CA (" + m.td.Name() + ")", Validity: m.cfg.CAValidity.D(), URI: m.td.ID().URL()},
		Log:  m.log}
}

// bundleRecord is what the store keeps of the published bundle.
type bundleRecord struct {
	Sequence uint64 `json:"sequence"`
	Anchors  string `json:"anchors"` // digest of the anchors' DER, in order
}

// sequence returns the bundle's spiffe_sequence: the stored one when the
// anchors are the same, otherwise one more, stored (first writer wins when
// several hosts start at once).
func (m *Manager) sequence(ctx context.Context, anchors []*x509.Certificate) (uint64, error) {
	h := sha256.New()
	for _, a := range anchors {
		h.Write(a.Raw)
	}
	digest := hex.EncodeToString(h.Sum(nil))
	for range 5 {
		var rec bundleRecord
		e, err := m.store.Get(ctx, bundleKey)
		cond := state.IfAbsent()
		switch {
		case err == nil:
			if json.Unmarshal(e.Value, &rec) != nil {
				return 0, fmt.Errorf("%s: the bundle record under %q is corrupt", ID, bundleKey)
			}
			if rec.Anchors == digest {
				return rec.Sequence, nil
			}
			cond = state.IfVersion(e.Version)
		case !fault.Is(err, fault.NotFound):
			return 0, fmt.Errorf("%s: reading the bundle record: %w", ID, err)
		}
		next := bundleRecord{Sequence: rec.Sequence + 1, Anchors: digest}
		raw, _ := json.Marshal(next)
		if _, err := m.store.Put(ctx, bundleKey, raw, cond); err == nil {
			return next.Sequence, nil
		} else if !fault.Is(err, fault.Conflict) {
			return 0, fmt.Errorf("%s: storing the bundle record: %w", ID, err)
		}
	}
	return 0, fmt.Errorf("%s: the bundle record under %q keeps changing", ID, bundleKey)
}

// exportAnchors writes the anchors (PEM) to bundleFile when set.
func (m *Manager) exportAnchors(ctx context.Context, anchors []*x509.Certificate) error {
	if m.cfg.BundleFile == "" {
		return nil
	}
	var data []byte
	for _, a := range anchors {
		data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Raw})...)
	}
	if old, err := os.ReadFile(m.cfg.BundleFile); err == nil && slices.Equal(old, data) {
		return nil
	}
	if err := authority.WriteFileAtomic(m.cfg.BundleFile, data, 0o644); err != nil {
		return fmt.Errorf("%s: bundleFile: %w; choose a writable path", ID, err)
	}
	m.log.InfoContext(ctx, "trust bundle anchors written", "path", m.cfg.BundleFile)
	return nil
}

// WFMIdentity implements fleet.Identity.
func (m *Manager) WFMIdentity() miaf.Identity { return m.wfm }

// Bundle implements fleet.Identity.
func (m *Manager) Bundle() (*miaf.Bundle, []byte) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.bundle, m.json
}

// VerifyClient implements fleet.Identity.
func (m *Manager) VerifyClient(chain []*x509.Certificate) (miaf.Identity, error) {
	m.mu.RLock()
	anchors := m.clientAnchors
	m.mu.RUnlock()
	id, err := miaf.Verify(chain, anchors, m.now())
	if err != nil {
		return miaf.Identity{}, fault.Wrap(err, fault.Forbidden, "the client certificate is not an X.509-SVID of trust domain %s", m.td.Name())
	}
	if !id.IsClient() || id.WFM != m.wfm.WFM {
		return miaf.Identity{}, fault.New(fault.Forbidden, "%s is not a client of this WFM (%s)", id, m.wfm)
	}
	return id, nil
}

// IssueSVID implements fleet.Identity.
func (m *Manager) IssueSVID(ctx context.Context, clientID string, csr *x509.CertificateRequest) (*x509.Certificate, error) {
	client := miaf.Identity{TrustDomain: m.td, WFM: m.wfm.WFM, Client: clientID}
	id, err := client.ID()
	if err != nil || clientID == "" { // "" would be the WFM's own identity
		return nil, fault.New(fault.Unprocessable, "client id %q cannot be part of a SPIFFE ID: use letters, digits, - . and _", clientID)
	}
	if csr == nil {
		return nil, fault.New(fault.BadRequest, "no certificate signing request")
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fault.Wrap(err, fault.BadRequest, "the certificate signing request is not signed by its key")
	}
	if err := miaf.CheckKey(csr.PublicKey); err != nil {
		return nil, fault.Wrap(err, fault.BadRequest, "the certificate signing request's key is not allowed")
	}
	cert, err := m.current().Issue(csr.PublicKey, authority.Leaf{Subject: pkix.Name{CommonName: clientID}, URIs: []*url.URL{id.URL()},
		Usage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, Validity: m.cfg.SVIDValidity.D()}, m.now())
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "issuing the SVID of %s", id)
	}
	m.log.InfoContext(ctx, "client SVID issued", "spiffeId", id.String(), "notAfter", cert.NotAfter)
	return cert, nil
}
