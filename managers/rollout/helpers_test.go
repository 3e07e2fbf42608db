package rollout

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/internal/testserver"
	"github.com/cadenza-edge/cadenza/managers/base/basetest"
	"github.com/cadenza-edge/cadenza/managers/capabilities"
	"github.com/cadenza-edge/cadenza/managers/catalog"
	"github.com/cadenza-edge/cadenza/managers/deployment"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/memory"

	gitreg "github.com/cadenza-edge/cadenza/providers/registry/git"
)

// appV1 is the test application: a helm profile for big amd64 devices
// labelled tier=edge, and a compose profile for any device.
const appV1 = `apiVersion: v1
id: com-example-monitor
metadata:
  name: Monitor
  version: 1.0.0
  catalog:
    application: {tagline: watches things}
    organization: [{name: Example}]
deploymentProfiles:
  - type: helm
    id: monitor-helm
    components:
      - {name: monitor, properties: {repository: oci://registry.example/charts/monitor, revision: 1.0.0, wait: true}}
    deviceConstraints:
      capacityRequirements: {cpu: {cores: 2, architectures: [amd64]}, memory: 4Gi}
      eligibilityRules:
        - labelSelector: {matchExpressions: [{key: tier, operator: In, values: [edge]}]}
  - type: compose
    id: monitor-compose
    components:
      - {name: monitor-compose, properties: {repository: oci://registry.example/compose/monitor, revision: 1.0.0}}
parameters:
  pollFrequency:
    value: 30
    targets:
      - {pointer: settings.pollFrequency, components: [monitor]}
      - {pointer: POLL_FREQUENCY, components: [monitor-compose]}
  siteName:
    targets:
      - {pointer: site.name, components: [monitor]}
      - {pointer: SITE_NAME, components: [monitor-compose]}
configuration:
  sections:
    - name: General
      settings:
        - {parameter: pollFrequency, name: Poll frequency, schema: poll}
        - {parameter: siteName, name: Site, immutable: true, schema: site}
  schema:
    - {name: poll, dataType: integer, minValue: 30, maxValue: 360}
    - {name: site, dataType: string, minLength: 2, maxLength: 20, regexMatch: "^[a-z0-9-]+$"}
`

// env is a rollout manager over real capabilities, deployment and catalog
// managers sharing one memory store, with a git registry of appV1.
type env struct {
	m    *Manager
	caps *capabilities.Manager
	deps *deployment.Manager
	cat  *catalog.Manager
	repo *testserver.GitRepo
}

func newEnv(t testing.TB, cfg string) *env { return newEnvWith(t, cfg, nil) }

// newEnvWith is newEnv with an event bus the managers publish on and the
// rollout manager follows (nil: none).
func newEnvWith(t testing.TB, cfg string, bus pubsub.Bus) *env {
	t.Helper()
	store := memory.New()
	events := map[string]module.Module{}
	if bus != nil {
		events["events"] = bus
	}
	e := &env{
		caps: basetest.New[capabilities.Manager](t, store, "", events),
		deps: basetest.New[deployment.Manager](t, store, "", events),
		cat:  basetest.New[catalog.Manager](t, store, "", map[string]module.Module{"registry": gitreg.New(gitreg.Config{AllowLocal: true})}),
	}
	e.repo = testserver.NewGitRepo(t, t.TempDir(), "apps.git")
	e.repo.Commit("v1", map[string]string{"monitor/margo.yaml": appV1})
	ctx := context.Background()
	if _, err := e.cat.AddRegistry(ctx, fleet.RegistrySpec{Name: "apps", URL: e.repo.URL()}); err != nil {
		t.Fatal(err)
	}
	if r, err := e.cat.Sync(ctx, "apps"); err != nil || r.LastError != nil {
		t.Fatalf("sync: %v %+v", err, r)
	}
	e.m = newManager(t, store, cfg, events, e.caps, e.deps, e.cat)
	return e
}

// newManager configures and initialises a rollout manager with siblings.
func newManager(t testing.TB, store state.Store, cfg string, uses map[string]module.Module, siblings ...module.Module) *Manager {
	t.Helper()
	m := &Manager{}
	if cfg == "" {
		cfg = "{}"
	}
	if err := config.DecodeModule("t.json", "m.config", []byte(cfg), m.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	all := map[string]module.Module{"state": store}
	maps.Copy(all, uses)
	env := &module.Env{ID: ID, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Uses: all, Managers: siblings}
	if err := m.Init(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	return m
}

// device reports a P1 (flat) capabilities document for client/device.
func (e *env) device(t testing.TB, client, device string, cores int, arch, memory string) {
	t.Helper()
	raw := fmt.Appendf(nil, `{"apiVersion":"device.margo.org/v1alpha1","kind":"DeviceCapabilitiesManifest",
	"properties":{"id":%q,"vendor":"v","modelNumber":"m","serialNumber":"s",
	"cpus":[{"cores":%d,"architecture":%q}],"memory":%q,"storage":"100Gi",
	"otelCollector":true,"supportedRuntimes":["oci"],"supportedDeploymentTypes":["helm","compose"]}}`, device, cores, arch, memory)
	doc, err := document.ParseCapabilities(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.caps.Report(context.Background(), client, device, doc, raw); err != nil {
		t.Fatal(err)
	}
}

// label sets operator labels of a device.
func (e *env) label(t testing.TB, client, device string, labels map[string]any) {
	t.Helper()
	if _, err := e.caps.SetLabels(context.Background(), client, device, labels); err != nil {
		t.Fatal(err)
	}
}

var (
	must      = basetest.Must
	wantFault = basetest.WantFault
)

// createMon creates rollout "mon": the test application for plant-1.
func (e *env) createMon(t testing.TB) {
	t.Helper()
	_, err := e.m.Create(context.Background(), fleet.RolloutSpec{ID: "mon", Application: "com-example-monitor",
		Parameters: map[string]any{"siteName": "plant-1"}, Target: plant1()})
	must(t, err)
}

// reportRemoved has every placed device report its deployment removed.
func (e *env) reportRemoved(t testing.TB, ps []fleet.Placement) {
	t.Helper()
	ctx := context.Background()
	for _, p := range ps {
		d, err := e.deps.Deployment(ctx, p.ClientID, p.DeploymentID)
		must(t, err)
		st := &document.DeploymentStatusManifest{DeploymentID: p.DeploymentID, Status: document.DeploymentStatus{State: document.StateRemoved}}
		for _, c := range d.Components {
			st.Components = append(st.Components, document.ComponentStatus{Name: c, State: document.StateRemoved})
		}
		must(t, e.deps.ReportStatus(ctx, p.ClientID, p.DeploymentID, st, nil))
	}
}
