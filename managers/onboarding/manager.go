package onboarding

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/authority"
)

// caExpiryWarning is how close to its expiry the CA makes Init log a warning.
const caExpiryWarning = 30 * 24 * time.Hour

// Manager is managers.onboarding. Build it with the host (config, then Init);
// the zero value is unconfigured.
type Manager struct {
	cfg      Config
	store    state.Store
	log      *slog.Logger
	hostName string
	policy   policy
	ca       *authority.Authority
	certs    *certCache
	now      func() time.Time // the clock; time.Now unless a test sets it
}

var (
	_ fleet.Onboarding     = (*Manager)(nil)
	_ module.Configurable  = (*Manager)(nil)
	_ module.RoleDeclarer  = (*Manager)(nil)
	_ module.Initer        = (*Manager)(nil)
	_ module.HealthChecker = (*Manager)(nil)
)

// ConfigTarget implements module.Configurable.
func (m *Manager) ConfigTarget() any { return &m.cfg }

// Roles declares the provider roles: one state store.
func (m *Manager) Roles() []module.Role {
	return []module.Role{module.Need[state.Store]("state")}
}

// Init takes the state provider, loads or generates the CA and, when
// configured, makes sure the server certificate files are current.
func (m *Manager) Init(ctx context.Context, env *module.Env) error {
	s, err := module.MustUse[state.Store](env, "state")
	if err != nil {
		return err
	}
	m.store = s
	m.log = env.Logger
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.now == nil {
		m.now = time.Now
	}
	m.cfg.fillZero()
	m.hostName = env.Host
	if m.hostName == "" {
		m.hostName, _ = os.Hostname()
	}
	m.policy = newPolicy(m.cfg.Policy)
	m.certs = newCertCache(DefaultCertCacheSize)
	if m.policy.mode == ModeAllowlist && len(m.policy.allow) == 0 {
		m.log.WarnContext(ctx, "onboarding policy is allowlist with an empty allow list: every device will be refused")
	}

	ca, err := m.loadCA(ctx)
	if err != nil {
		return err
	}
	now := m.now()
	if now.After(ca.Cert.NotAfter) {
		return m.expiredCA(ca)
	}
	if left := ca.Cert.NotAfter.Sub(now); left < caExpiryWarning {
		m.log.WarnContext(ctx, "onboarding CA expires soon: devices will stop trusting this WFM", "notAfter", ca.Cert.NotAfter, "left", left.Round(time.Hour))
	}
	m.ca = ca
	if err := m.exportCA(ctx); err != nil {
		return err
	}
	return m.ensureServerCert(ctx)
}

// expiredCA is Init's error for a CA past its NotAfter.
func (m *Manager) expiredCA(ca *authority.Authority) error {
	at := ca.Cert.NotAfter.UTC().Format(time.RFC3339)
	if m.cfg.CA != nil {
		return fmt.Errorf("onboarding: the CA in %s expired at %s; configure a valid one (devices must then trust it)", m.cfg.CA.Cert, at)
	}
	return fmt.Errorf("onboarding: the generated CA (state key %q) expired at %s; delete that key to generate a new one (devices must then trust it) or configure \"ca\"", caKey, at)
}

// Health is nil once the CA is loaded and while it is valid.
func (m *Manager) Health(context.Context) error {
	if m.ca == nil {
		return errors.New("onboarding: the CA is not loaded")
	}
	if m.now().After(m.ca.Cert.NotAfter) {
		return fault.New(fault.Unavailable, "onboarding: the CA expired at %s", m.ca.Cert.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

// CACertificate returns the root CA devices trust (nil before Init).
func (m *Manager) CACertificate() *x509.Certificate {
	if m.ca == nil {
		return nil
	}
	return m.ca.Cert
}
