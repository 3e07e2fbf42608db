package workloadtest

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// memProvider is the reference provider: an in-memory runtime that keeps
// installed components and a generation per component, honours ctx, Wait
// and Timeout, and knows these sources:
//
//	mem://app           revisions 1.0.0 and 1.1.0
//	mem://never-ready   revision 1.0.0; installs but never becomes running
//
// Other mem:// sources do not exist (NotFound); other schemes are
// BadRequest.
type memProvider struct {
	mu    sync.Mutex
	comps map[memKey]*memRecord
}

type memKey struct{ deploymentID, deployment, name string }

type memRecord struct {
	c          workload.Component
	phase      workload.Phase
	message    string
	generation uint64
}

var memCatalog = map[string][]string{
	"mem://app":         {"1.0.0", "1.1.0"},
	"mem://never-ready": {"1.0.0"},
}

// memPullSteps is how many progress steps an Apply reports while "pulling".
const memPullSteps = 3

func newMem() *memProvider { return &memProvider{comps: map[memKey]*memRecord{}} }

func keyOf(c workload.Component) memKey { return memKey{c.DeploymentID, c.Deployment, c.Name} }

func (r *memRecord) status() workload.Status {
	return workload.Status{
		Phase: r.phase, Message: r.message, Revision: r.c.Revision,
		Details: map[string]string{workload.DetailGeneration: strconv.FormatUint(r.generation, 10)},
	}
}

func (m *memProvider) Types() []string { return []string{"compose", "helm.v3", "helm"} }

func ctxErr(ctx context.Context, op string, c workload.Component) error {
	if err := ctx.Err(); err != nil {
		return fault.Wrap(err, fault.CodeOf(err), "%s %s", op, c.Name)
	}
	return nil
}

// resolve checks c's source exists; a never-ready source reports ready false.
func (m *memProvider) resolve(c workload.Component) (ready bool, err error) {
	switch {
	case c.Name == "" || !slices.Contains(m.Types(), c.ProfileType):
		return false, fault.New(fault.BadRequest, "component %q of type %q", c.Name, c.ProfileType)
	case !strings.HasPrefix(c.Repository, "mem://"):
		return false, fault.New(fault.BadRequest, "repository %q is not a mem:// reference", c.Repository)
	case !slices.Contains(memCatalog[c.Repository], c.Revision):
		return false, fault.New(fault.NotFound, "%s at revision %q does not exist", c.Repository, c.Revision)
	}
	return c.Repository != "mem://never-ready", nil
}

func (m *memProvider) Apply(ctx context.Context, c workload.Component, progress workload.Progress) (workload.Status, error) {
	emit := func(phase workload.Phase, msg string, done int64) {
		if progress != nil {
			progress(workload.Event{Component: c.Name, Phase: phase, Message: msg, Done: done, Total: memPullSteps})
		}
	}
	if err := ctxErr(ctx, "apply", c); err != nil {
		return workload.Status{}, err
	}
	emit(workload.Pending, "resolving "+c.Repository, 0)
	ready, err := m.resolve(c)
	if err != nil {
		return workload.Status{Phase: workload.Failed, Message: err.Error()}, err
	}
	for step := int64(1); step <= memPullSteps; step++ {
		if err := ctxErr(ctx, "apply", c); err != nil {
			return workload.Status{Phase: workload.Failed, Message: err.Error()}, err
		}
		emit(workload.Installing, "pulling", step)
	}
	m.mu.Lock()
	rec := m.comps[keyOf(c)]
	if rec != nil && rec.phase == workload.Installed && sameSpec(rec.c, c) {
		s := rec.status()
		m.mu.Unlock()
		emit(workload.Installed, "unchanged", memPullSteps)
		return s, nil
	}
	if err := ctxErr(ctx, "apply", c); err != nil { // last chance to change nothing
		m.mu.Unlock()
		return workload.Status{Phase: workload.Failed, Message: err.Error()}, err
	}
	if rec == nil {
		rec = &memRecord{}
		m.comps[keyOf(c)] = rec
	}
	rec.c, rec.generation, rec.phase, rec.message = cloneComponent(c), rec.generation+1, workload.Installed, "running"
	if !ready {
		rec.phase, rec.message = workload.Installing, "waiting to become ready"
	}
	s := rec.status()
	m.mu.Unlock()
	if !ready && c.Wait {
		return m.waitReady(ctx, c)
	}
	emit(s.Phase, s.Message, memPullSteps)
	return s, nil
}

// waitReady waits for a component that never becomes ready: it fails at
// c.Timeout (default one minute) or when ctx ends.
func (m *memProvider) waitReady(ctx context.Context, c workload.Component) (workload.Status, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var err error
	select {
	case <-ctx.Done():
		err = ctxErr(ctx, "waiting for", c)
	case <-timer.C:
		err = fault.New(fault.Timeout, "%s not running after %s", c.Name, timeout)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if rec := m.comps[keyOf(c)]; rec != nil {
		rec.phase, rec.message = workload.Failed, err.Error()
	}
	return workload.Status{Phase: workload.Failed, Message: err.Error(), Revision: c.Revision}, err
}

func (m *memProvider) Remove(ctx context.Context, c workload.Component, progress workload.Progress) error {
	if err := ctxErr(ctx, "remove", c); err != nil {
		return err
	}
	if progress != nil {
		progress(workload.Event{Component: c.Name, Phase: workload.Removing})
	}
	m.mu.Lock()
	delete(m.comps, keyOf(c))
	m.mu.Unlock()
	if progress != nil {
		progress(workload.Event{Component: c.Name, Phase: workload.Removed})
	}
	return nil
}

func (m *memProvider) Status(ctx context.Context, c workload.Component) (workload.Status, error) {
	if err := ctxErr(ctx, "status", c); err != nil {
		return workload.Status{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.comps[keyOf(c)]
	if rec == nil {
		return workload.Status{}, fault.New(fault.NotFound, "component %s of deployment %s is not installed", c.Name, c.Deployment)
	}
	return rec.status(), nil
}

// running returns what runs for c, if it is installed; Verify reads it.
func (m *memProvider) running(c workload.Component) (workload.Component, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.comps[keyOf(c)]
	if rec == nil || rec.phase != workload.Installed {
		return workload.Component{}, false
	}
	return cloneComponent(rec.c), true
}

// sameSpec reports whether applying b over a changes nothing.
func sameSpec(a, b workload.Component) bool {
	return a.Repository == b.Repository && a.Revision == b.Revision && a.KeyLocation == b.KeyLocation &&
		a.Namespace == b.Namespace && reflect.DeepEqual(a.Parameters, b.Parameters)
}

func cloneComponent(c workload.Component) workload.Component {
	c.Parameters = cloneParams(c.Parameters)
	return c
}

// verifyMem is the reference fixture's Verify: c runs with its revision and
// parameters.
func verifyMem(t testing.TB, p workload.Provider, c workload.Component) {
	t.Helper()
	rt, ok := p.(interface {
		running(workload.Component) (workload.Component, bool)
	})
	if !ok {
		t.Fatalf("provider %T does not expose the in-memory runtime", p)
	}
	got, ok := rt.running(c)
	if !ok {
		t.Fatalf("%s is not running", describe(c))
	}
	if got.Revision != c.Revision || !reflect.DeepEqual(got.Parameters, c.Parameters) {
		t.Fatalf("%s runs revision %q with parameters %v; want %q with %v", describe(c), got.Revision, got.Parameters, c.Revision, c.Parameters)
	}
}

// memFixture is the reference provider's fixture.
func memFixture() Fixture {
	base := workload.Component{
		DeploymentID: "a3e2f5dc-912e-494f-8395-52cf3769bc06", Deployment: "digitron", Namespace: "margo-poc",
		Name: "orchestrator", ProfileType: "compose", Repository: "mem://app", Revision: "1.0.0",
		Wait: true, Timeout: time.Minute,
		Parameters: map[string]any{"POLL_FREQUENCY": "120", "DEBUG": false, "IDP_URLS": []any{"https://a.example", 2.5}},
	}
	up := cloneComponent(base)
	up.Revision = "1.1.0"
	up.Parameters["POLL_FREQUENCY"] = "60"
	broken := cloneComponent(base)
	broken.Name, broken.Repository = "missing", "mem://does-not-exist"
	stuck := cloneComponent(base)
	stuck.Name, stuck.Repository, stuck.Timeout = "stuck", "mem://never-ready", 50*time.Millisecond
	return Fixture{Base: base, Upgraded: up, Broken: broken, NeverReady: stuck, Verify: verifyMem}
}
