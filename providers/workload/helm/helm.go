// Package helm is the Helm workload provider (module id workload.helm,
// profile types "helm.v3" and "helm"). It runs each component of a
// deployment as one Helm release, through the Helm v3 SDK (no helm binary).
//
// Apply pulls the chart Component.Repository at Component.Revision (the
// chart version, used as the OCI tag with "+" written "_") through the
// artifacts provider bound to the optional "artifacts" role, or through
// Helm's own OCI registry client when none is bound. It builds the values
// from Component.Parameters by dot path (see Values), then installs the
// release (creating its namespace), upgrades it when the chart version,
// the source or the values differ from the last deployed revision, or does
// nothing when they are equal. workload.DetailGeneration is the release
// revision. Release names derive from the deployment id and the component
// name: see ReleaseName.
//
// Helm operations run to completion in the background once started: a
// canceled Apply returns promptly with the cancellation, and the next call
// on the same release waits for the operation to end. One operation per
// release runs at a time.
//
// With fake set, Helm's fake kube client and the memory release driver
// replace the cluster: releases are rendered and recorded, nothing is
// applied, and Wait completes at once (a NeverReady component cannot be
// simulated). The provider logs a warning saying so.
package helm

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chartutil"
	kubefake "helm.sh/helm/v3/pkg/kube/fake"
	"helm.sh/helm/v3/pkg/storage"
	"helm.sh/helm/v3/pkg/storage/driver"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/margo/profile"
)

// ID is the module id.
const ID = "workload.helm"

// Profile types this provider runs.
const (
	ProfileTypeV3 = profile.HelmV3 // Margo P1 deployments
	ProfileType   = profile.Helm   // every later generation
)

// Provider runs Helm components. Build it with New, or let the host build
// it through the workload.helm registration (config, then Init).
type Provider struct {
	cfg        Config
	log        *slog.Logger
	puller     artifacts.Puller // nil: Helm's registry client pulls
	kubeconfig string           // resolved path; "" with fake

	mu      sync.Mutex
	configs map[string]*action.Configuration // per namespace
	locks   map[string]chan struct{}         // per namespace/release: one operation at a time
}

var (
	_ workload.Provider   = (*Provider)(nil)
	_ module.Configurable = (*Provider)(nil)
	_ module.Initer       = (*Provider)(nil)
	_ module.RoleDeclarer = (*Provider)(nil)
)

// New returns a ready provider for cfg (start from a Config whose Defaults
// method was called). puller may be nil; logger may be nil.
func New(cfg Config, puller artifacts.Puller, logger *slog.Logger) (*Provider, error) {
	p := &Provider{cfg: cfg}
	if err := p.open(puller, logger); err != nil {
		return nil, err
	}
	return p, nil
}

// ConfigTarget returns the config struct for the host to decode into.
func (p *Provider) ConfigTarget() any { return &p.cfg }

// Roles declares the optional artifacts role that pulls charts.
func (p *Provider) Roles() []module.Role {
	return []module.Role{module.Want[artifacts.Puller]("artifacts")}
}

// Init resolves the artifacts role and the kubeconfig.
func (p *Provider) Init(_ context.Context, env *module.Env) error {
	var puller artifacts.Puller
	var logger *slog.Logger
	if env != nil {
		puller, _ = module.Use[artifacts.Puller](env, "artifacts")
		logger = env.Logger
	}
	return p.open(puller, logger)
}

func (p *Provider) open(puller artifacts.Puller, logger *slog.Logger) error {
	if err := p.cfg.Validate(); err != nil {
		return err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	p.log = logger.With("module", ID)
	p.puller = puller
	p.configs = map[string]*action.Configuration{}
	p.locks = map[string]chan struct{}{}
	if p.cfg.Fake {
		p.log.Warn("FAKE KUBERNETES CLIENT: workload.helm records Helm releases in memory and applies NOTHING to any cluster (config fake=true; for tests and sandboxes only)")
		return nil
	}
	path, ok := kubeconfigPath(p.cfg.Kubeconfig)
	if !ok {
		if p.cfg.Kubeconfig != "" {
			return fault.New(fault.BadRequest, "%s: kubeconfig %q does not exist", ID, p.cfg.Kubeconfig)
		}
		return fault.New(fault.BadRequest, "no Kubernetes cluster configured: set %s's kubeconfig (or KUBECONFIG)", ID)
	}
	p.kubeconfig = path
	p.log.Info("helm provider ready", "kubeconfig", path, "context", p.cfg.Context, "driver", p.cfg.Driver, "artifacts", puller != nil)
	return nil
}

// Types lists the profile types this provider runs.
func (p *Provider) Types() []string { return []string{ProfileTypeV3, ProfileType} }

// actionConfig returns the Helm action configuration of namespace ns,
// creating it on first use.
func (p *Provider) actionConfig(ns string) (*action.Configuration, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cfg, ok := p.configs[ns]; ok {
		return cfg, nil
	}
	debug := func(format string, v ...any) { p.log.Debug(fmt.Sprintf(format, v...), "namespace", ns) }
	cfg := &action.Configuration{Log: debug}
	if p.cfg.Fake {
		mem := driver.NewMemory()
		mem.SetNamespace(ns)
		cfg.Releases = storage.Init(mem)
		cfg.Releases.Log = debug
		cfg.KubeClient = &kubefake.PrintingKubeClient{Out: io.Discard}
		cfg.Capabilities = chartutil.DefaultCapabilities
	} else {
		flags := genericclioptions.NewConfigFlags(false)
		flags.KubeConfig = &p.kubeconfig
		flags.Namespace = &ns
		if p.cfg.Context != "" {
			flags.Context = &p.cfg.Context
		}
		if err := cfg.Init(flags, ns, p.cfg.Driver, debug); err != nil {
			return nil, fault.Wrap(err, fault.Unavailable, "helm: set up namespace %q", ns)
		}
	}
	p.configs[ns] = cfg
	return cfg, nil
}

// namespace is the component's namespace, "default" when unset.
func namespace(c workload.Component) string {
	if c.Namespace == "" {
		return "default"
	}
	return c.Namespace
}

// lock takes the operation lock of one release, waiting at most until ctx
// ends; the returned function releases it.
func (p *Provider) lock(ctx context.Context, key string) (func(), error) {
	p.mu.Lock()
	ch, ok := p.locks[key]
	if !ok {
		ch = make(chan struct{}, 1)
		p.locks[key] = ch
	}
	p.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, canceled(ctx, "waiting for another operation on release "+key)
	}
}
