package sync

import (
	"context"
	"slices"
	"sync"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// fakeProvider is a faithful in-memory workload.Provider: idempotent,
// honours ctx, reports progress, and records every completed Apply and
// Remove. Tests can make a component fail or block.
type fakeProvider struct {
	types []string

	mu        sync.Mutex
	installed map[string]workload.Component // deploymentId/name -> spec
	applies   []workload.Component          // completed applies, in order
	removes   []workload.Component          // completed removes, in order
	fail      map[string]error              // component name -> error of its next applies
	failRm    map[string]error              // component name -> error of its next removes
	block     map[string]chan struct{}      // component name -> Apply waits for close (or ctx)
	entered   chan string                   // receives the name of each component entering Apply
}

func newFakeProvider(types ...string) *fakeProvider {
	if len(types) == 0 {
		types = []string{"helm.v3", "helm", "compose"}
	}
	return &fakeProvider{types: types, installed: map[string]workload.Component{}, fail: map[string]error{}, failRm: map[string]error{},
		block: map[string]chan struct{}{}, entered: make(chan string, 100)}
}

func (p *fakeProvider) Types() []string { return p.types }

func key(c workload.Component) string { return c.DeploymentID + "/" + c.Name }

func (p *fakeProvider) Apply(ctx context.Context, c workload.Component, progress workload.Progress) (workload.Status, error) {
	if err := ctx.Err(); err != nil {
		return workload.Status{}, err
	}
	p.mu.Lock()
	gate, err := p.block[c.Name], p.fail[c.Name]
	p.mu.Unlock()
	select {
	case p.entered <- c.Name:
	default:
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return workload.Status{}, fault.Wrap(ctx.Err(), fault.Canceled, "apply %s", c.Name)
		}
	}
	if err != nil {
		return workload.Status{Phase: workload.Failed, Message: err.Error()}, err
	}
	if progress != nil {
		progress(workload.Event{Component: c.Name, Phase: workload.Installing, Message: "pulling " + c.Repository})
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.installed[key(c)] = c
	p.applies = append(p.applies, c)
	return workload.Status{Phase: workload.Installed, Revision: c.Revision}, nil
}

func (p *fakeProvider) Remove(ctx context.Context, c workload.Component, _ workload.Progress) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.failRm[c.Name]; err != nil {
		return err
	}
	delete(p.installed, key(c))
	p.removes = append(p.removes, c)
	return nil
}

func (p *fakeProvider) Status(_ context.Context, c workload.Component) (workload.Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	got, ok := p.installed[key(c)]
	if !ok {
		return workload.Status{}, fault.New(fault.NotFound, "component %s is not installed", c.Name)
	}
	return workload.Status{Phase: workload.Installed, Revision: got.Revision}, nil
}

// appliedNames returns the names of the completed applies, in order.
func (p *fakeProvider) appliedNames() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, len(p.applies))
	for i, c := range p.applies {
		out[i] = c.Name
	}
	return out
}

// removedNames returns the names of the completed removes, in order.
func (p *fakeProvider) removedNames() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, len(p.removes))
	for i, c := range p.removes {
		out[i] = c.Name
	}
	return out
}

// installedNames returns what is installed, sorted.
func (p *fakeProvider) installedNames() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, c := range p.installed {
		out = append(out, c.Name)
	}
	slices.Sort(out)
	return out
}

func (p *fakeProvider) set(f func(p *fakeProvider)) { p.mu.Lock(); defer p.mu.Unlock(); f(p) }
